/**
 * Output paths (--junit, --report, --sarif, --out, report directories) are checked before any
 * work starts: a long drill or check must not run to the end and then fail to write its result.
 * A bad path is bad usage (exit 2) and nothing is done.
 *
 * A command declares its outputs with `static outputs = {junit: 'file', 'report-dir': 'dir'}`
 * (base-command.ts checks them after parsing); capabilities that learn a path later call
 * `checkOutputPaths` themselves.
 */
import fs from 'node:fs'
import path from 'node:path'
import {UsageError} from '../errors.js'

export type OutputKind = 'file' | 'dir'

export interface OutputTarget {
  /** What names the path, for the message: a flag (`--junit`) or a setting. */
  name: string
  path: string
  kind: OutputKind
}

/** Why this path cannot be written, or undefined when it can. */
export function outputPathProblem(target: OutputTarget): string | undefined {
  const abs = path.resolve(target.path)
  const st = statOrUndefined(abs)
  if (target.kind === 'file') {
    if (target.path.endsWith('/') || st?.isDirectory()) return 'is a directory; expected a file name'
    if (st) return writable(abs) ? undefined : 'exists and is not writable'
    const parent = path.dirname(abs)
    const pst = statOrUndefined(parent)
    if (!pst) return `its directory ${parent} does not exist`
    if (!pst.isDirectory()) return `${parent} is not a directory`
    return writable(parent) ? undefined : `its directory ${parent} is not writable`
  }
  if (st) {
    if (!st.isDirectory()) return 'exists and is not a directory'
    return writable(abs) ? undefined : 'is not writable'
  }
  // Created on use (mkdir -p): its nearest existing ancestor must be a writable directory.
  let ancestor = path.dirname(abs)
  while (!statOrUndefined(ancestor) && path.dirname(ancestor) !== ancestor) ancestor = path.dirname(ancestor)
  const ast = statOrUndefined(ancestor)
  if (!ast?.isDirectory()) return `${ancestor} is not a directory`
  return writable(ancestor) ? undefined : `it would be created under ${ancestor}, which is not writable`
}

/** Throw one UsageError (exit 2) naming every output path that cannot be written. */
export function checkOutputPaths(targets: OutputTarget[]): void {
  const problems = targets.flatMap((t) => {
    const problem = outputPathProblem(t)
    return problem ? [{...t, problem}] : []
  })
  if (problems.length === 0) return
  const line = (p: (typeof problems)[number]): string => `${p.name} ${p.path}: ${p.problem}`
  throw new UsageError(problems.length === 1 ? `Cannot write ${line(problems[0])}; nothing was done.` : [`Cannot write ${problems.length} outputs; nothing was done:`, ...problems.map((p) => `  ${line(p)}`)].join('\n'), {
    code: 'E_OUTPUT_PATH',
    hint: 'Create the directory or choose another path, then run the command again.',
    details: {outputs: problems.map((p) => ({name: p.name, path: p.path, kind: p.kind, problem: p.problem}))},
  })
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p)
  } catch {
    return undefined
  }
}

function writable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.W_OK)
    return true
  } catch {
    return false
  }
}
