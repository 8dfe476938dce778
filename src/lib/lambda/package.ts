/**
 * Deterministic packaging: the same files give the same zip bytes (entries sorted by path,
 * fixed modification time, fixed permissions), so the SHA-256 compared with Lambda's
 * CodeSha256 changes only when the code does. A .zip artifact is taken as built.
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {pipeline} from 'node:stream/promises'
import {UsageError} from '../errors.js'
import {requireCjs} from '../require-cjs.js'

/** The fixed timestamp of every entry (DOS dates start in 1980). */
export const ZIP_MTIME = new Date(Date.UTC(1980, 0, 2, 0, 0, 0))

export interface Artifact {
  zip: Buffer
  /** Base64 SHA-256, the form Lambda's CodeSha256 uses. */
  sha256: string
  size: number
  files: number
}

export function codeSha256(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('base64')
}

/** Relative POSIX paths of every file under `dir`, sorted bytewise. */
export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), {withFileTypes: true})) {
      const r = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) walk(r)
      else if (e.isFile() || e.isSymbolicLink()) out.push(r)
    }
  }
  walk('')
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * The artifact's identity on disk without reading it: each file's path, size, inode and
 * change/modification times (ctime moves on every write, and no tool sets it back), hashed.
 * Equal stamps mean the files have not been written since (what git's index and make trust), so
 * the package SHA-256 recorded with the stamp still holds. Undefined when the artifact is missing.
 */
export function artifactStamp(artifactPath: string): string | undefined {
  let stat: fs.Stats
  try {
    stat = fs.statSync(artifactPath)
  } catch {
    return undefined
  }
  const h = createHash('sha256')
  const add = (rel: string, st: fs.Stats) => h.update(`${rel}\0${st.size}\0${st.ino}\0${st.mtimeMs}\0${st.ctimeMs}\0${st.mode}\0`)
  if (stat.isFile()) add('', stat)
  else for (const f of listFiles(artifactPath)) add(f, fs.statSync(path.join(artifactPath, f)))
  return h.digest('hex')
}

export async function packageArtifact(artifactPath: string): Promise<Artifact> {
  let stat: fs.Stats
  try {
    stat = fs.statSync(artifactPath)
  } catch {
    throw new UsageError(`The artifact ${artifactPath} does not exist.`, {hint: 'Check the module\'s build command and its artifact path in lambda.modules.'})
  }
  if (stat.isFile()) {
    const zip = fs.readFileSync(artifactPath)
    return {zip, sha256: codeSha256(zip), size: zip.length, files: 0}
  }
  const files = listFiles(artifactPath)
  if (files.length === 0) throw new UsageError(`The artifact directory ${artifactPath} is empty.`, {hint: 'Did the build write its output there?'})
  const yazl = requireCjs('yazl') as typeof import('yazl')
  const zipfile = new yazl.ZipFile()
  for (const f of files) {
    const full = path.join(artifactPath, f)
    const mode = fs.statSync(full).mode & 0o111 ? 0o100755 : 0o100644
    zipfile.addFile(full, f, {mtime: ZIP_MTIME, mode, compress: true})
  }
  zipfile.end()
  // Through a temporary file: one buffer of the package's size in memory, not its chunks and a copy.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-zip-'))
  try {
    const file = path.join(tmp, 'package.zip')
    await pipeline(zipfile.outputStream, fs.createWriteStream(file))
    const zip = fs.readFileSync(file)
    return {zip, sha256: codeSha256(zip), size: zip.length, files: files.length}
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true})
  }
}
