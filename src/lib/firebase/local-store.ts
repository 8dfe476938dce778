/** Backups in a local directory: <root>/<backup id>/{chunk-*.ndjson.gz, checkpoint.json, manifest.json}. */
import fs from 'node:fs'
import path from 'node:path'
import type {Readable} from 'node:stream'
import type {BackupStore} from './ports.js'

export class LocalBackupStore implements BackupStore {
  constructor(readonly root: string) {}

  get location(): string {
    return this.root
  }

  async list(): Promise<string[]> {
    if (!fs.existsSync(this.root)) return []
    return fs
      .readdirSync(this.root, {withFileTypes: true})
      .filter((d) => d.isDirectory() && /^\d{8}T\d{6}Z-/.test(d.name))
      .map((d) => d.name)
      .sort()
  }

  async files(id: string): Promise<{name: string; bytes: number}[]> {
    const dir = path.join(this.root, id)
    if (!fs.existsSync(dir)) return []
    return fs
      .readdirSync(dir)
      .filter((n) => !n.endsWith('.tmp'))
      .map((name) => ({name, bytes: fs.statSync(path.join(dir, name)).size}))
  }

  async read(id: string, name: string): Promise<Buffer | undefined> {
    try {
      return fs.readFileSync(path.join(this.root, id, name))
    } catch {
      return undefined
    }
  }

  async write(id: string, name: string, data: string | Buffer): Promise<void> {
    const dir = path.join(this.root, id)
    fs.mkdirSync(dir, {recursive: true})
    const file = path.join(dir, name)
    const fd = fs.openSync(`${file}.tmp`, 'w')
    try {
      fs.writeFileSync(fd, data)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(`${file}.tmp`, file)
  }

  async stagingDir(id: string): Promise<string> {
    const dir = path.join(this.root, id)
    fs.mkdirSync(dir, {recursive: true})
    return dir
  }

  async putChunk(): Promise<void> {
    // Chunks are written in place.
  }

  async openRead(id: string, name: string): Promise<Readable> {
    return fs.createReadStream(path.join(this.root, id, name))
  }

  async remove(id: string): Promise<void> {
    fs.rmSync(path.join(this.root, id), {recursive: true, force: true})
  }
}
