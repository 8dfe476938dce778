/** Who deploys which commit: recorded in each published version's description. */
import os from 'node:os'

export async function gitCommit(cwd: string): Promise<string | undefined> {
  const {execa} = await import('execa')
  const r = await execa('git', ['rev-parse', '--short=12', 'HEAD'], {cwd, reject: false, stdin: 'ignore'})
  if (r.exitCode !== 0) return undefined
  const dirty = await execa('git', ['status', '--porcelain', '--untracked-files=no'], {cwd, reject: false, stdin: 'ignore'})
  return `${String(r.stdout).trim()}${dirty.exitCode === 0 && String(dirty.stdout).trim() ? '+dirty' : ''}`
}

export function deployer(env: NodeJS.ProcessEnv = process.env): string {
  let user = env.USER ?? 'unknown'
  try {
    user = os.userInfo().username
  } catch {
    // keep $USER
  }
  return `${user}@${os.hostname()}`
}

export function versionDescription(who: string, commit: string | undefined, tool: string): string {
  return `deployed by ${who} from ${commit ? `git ${commit}` : 'a working tree without git'} (${tool})`
}

/** The published versions' description (who, which commit, which tool), computed once, when the first module needs it. */
export function lazyDescription(baseDir: string, tool: string): () => Promise<string> {
  let described: Promise<string> | undefined
  return () => (described ??= gitCommit(baseDir).then((c) => versionDescription(deployer(), c, tool)))
}
