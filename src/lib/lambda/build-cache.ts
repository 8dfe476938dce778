/**
 * Build cache: a module whose configuration lists its build `inputs` (globs) skips its build
 * when the inputs, the build command and the artifact are what they were after the last
 * successful build. The record is the digest of the inputs (each file's path and SHA-256,
 * plus the command) and the artifact's package SHA-256 at that time; the artifact is still
 * packaged and compared, so an artifact changed by hand (or a half-written one) is rebuilt.
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
}

export interface InputsDigest {
  digest: string
  files: number
}

/** Hash the build's inputs: the files the globs match under `cwd` (sorted), and the command. */
export async function inputsDigest(cwd: string, globs: string[], command: string): Promise<InputsDigest> {
  const {glob} = await import('tinyglobby')
  const files = (await glob(globs, {cwd, dot: true, onlyFiles: true, ignore: ['**/node_modules/**', '**/.git/**'], expandDirectories: false}))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
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
