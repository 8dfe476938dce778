/**
 * Build cache: a module whose configuration lists its build `inputs` (globs) skips its build
 * when the inputs, the build command and the artifact are what they were after the last
 * successful build. The record is the digest of the inputs (each file's path and SHA-256,
 * plus the command) and the artifact's package SHA-256 at that time. An artifact whose files were
 * written since (its stat stamp differs) is packaged again and compared, so one changed by hand
 * (or a half-written one) is rebuilt; an untouched one is not even packaged (unchanged deploys).
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {ConfigError} from '../errors.js'

export interface BuildRecord {
  /** Digest of the build command and every input file (path + content). */
  inputs: string
  /** Package SHA-256 (base64) of the artifact the build produced. */
  artifactSha256: string
  files: number
  builtAt: string
  /** artifactStamp() of the artifact when it was packaged, and the package's size: while the stamp holds, the artifact is not packaged again. */
  artifactStamp?: string
  artifactSize?: number
}

export interface InputsDigest {
  digest: string
  files: number
}

/** Hash the build's inputs: the files the globs match under `cwd` (sorted), and the command. */
export async function inputsDigest(cwd: string, globs: string[], command: string): Promise<InputsDigest> {
  const files = (await matchInputs(cwd, globs)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  if (files.length === 0) {
    throw new ConfigError(`The build inputs (${globs.join(', ')}) match no file under ${cwd}.`, {
      hint: 'Fix lambda.modules.<module>.inputs (globs relative to the configuration file), or remove it to build every time.',
    })
  }
  const h = createHash('sha256').update(`command\0${command}\0`)
  for (const f of files) {
    const content = await fs.promises.readFile(path.join(cwd, f))
    h.update(`${f}\0`).update(createHash('sha256').update(content).digest()).update('\0')
  }
  return {digest: h.digest('hex'), files: files.length}
}

const IGNORED_DIRS = new Set(['node_modules', '.git'])

/**
 * The files the globs match (relative POSIX paths, dot files included, node_modules and .git
 * skipped). The two common forms, a plain path and `dir/**`, are read directly (an unchanged
 * deploy hashes every module's inputs, and compiling glob patterns cost more than the walk);
 * any other pattern, or a tree with a symbolic link, goes to tinyglobby with the same options.
 */
export async function matchInputs(cwd: string, globs: string[]): Promise<string[]> {
  const found = new Set<string>()
  const rest: string[] = []
  for (const g of globs) {
    const tree = /^(.*)\/\*\*$/.exec(g)?.[1]
    const base = tree ?? g
    const plain = base !== '' && !/[*?[\]{}()!+@\\]/.test(base) && !path.isAbsolute(base) && !base.split('/').some((s) => s === '..' || s === '.' || s === '' || IGNORED_DIRS.has(s))
    const files = plain ? (tree === undefined ? plainFile(cwd, base) : walkTree(cwd, base)) : undefined
    if (files) for (const f of files) found.add(f)
    else rest.push(g)
  }
  if (rest.length > 0) {
    const {glob} = await import('tinyglobby')
    for (const f of await glob(rest, {cwd, dot: true, onlyFiles: true, ignore: ['**/node_modules/**', '**/.git/**'], expandDirectories: false})) found.add(f)
  }
  return [...found]
}

function plainFile(cwd: string, rel: string): string[] | undefined {
  try {
    const st = fs.lstatSync(path.join(cwd, rel))
    return st.isSymbolicLink() ? undefined : st.isFile() ? [rel] : []
  } catch {
    return []
  }
}

/** Every file under `rel` (or `rel` itself when a file, as tinyglobby matches it); undefined when a symbolic link is met (tinyglobby then decides). */
function walkTree(cwd: string, rel: string): string[] | undefined {
  const top = plainFile(cwd, rel)
  if (top === undefined || top.length > 0) return top
  const out: string[] = []
  const walk = (dir: string): boolean => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(path.join(cwd, dir), {withFileTypes: true})
    } catch {
      return true // missing (or not a directory): matches nothing
    }
    for (const e of entries) {
      if (e.isSymbolicLink()) return false
      if (e.isDirectory()) {
        if (!IGNORED_DIRS.has(e.name) && !walk(`${dir}/${e.name}`)) return false
      } else if (e.isFile()) out.push(`${dir}/${e.name}`)
    }
    return true
  }
  return walk(rel) ? out : undefined
}

/** One small JSON file per module under the environment's data directory. */
export class BuildCache {
  constructor(private readonly dir: string) {}

  private file(module: string): string {
    return path.join(this.dir, `${module}.json`)
  }

  read(module: string): BuildRecord | undefined {
    try {
      const r = JSON.parse(fs.readFileSync(this.file(module), 'utf8')) as BuildRecord
      return typeof r.inputs === 'string' && typeof r.artifactSha256 === 'string' ? r : undefined
    } catch {
      return undefined
    }
  }

  write(module: string, record: BuildRecord): void {
    fs.mkdirSync(this.dir, {recursive: true})
    const tmp = `${this.file(module)}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n')
    fs.renameSync(tmp, this.file(module))
  }

  forget(module: string): void {
    fs.rmSync(this.file(module), {force: true})
  }
}
