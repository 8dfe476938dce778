/** Run an operator's verification command through the shell (execa), capturing its output. */
export async function runShell(command: string, env: Record<string, string>): Promise<{exitCode: number; output: string}> {
  const {execa} = await import('execa')
  const r = await execa(command, {shell: true, env, reject: false, all: true, timeout: 30 * 60_000})
  return {exitCode: r.exitCode ?? 1, output: String(r.all ?? '')}
}
