/** An alias's additional version weights for people ("version 7 at 10%"), never raw JSON. */
export function describeWeights(weights: Record<string, number> | undefined): string {
  return Object.entries(weights ?? {})
    .map(([version, w]) => `version ${version} at ${Math.round(w * 1000) / 10}%`)
    .join(', ')
}
