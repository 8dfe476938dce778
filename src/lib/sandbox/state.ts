/**
 * Sandbox state on disk: one JSON document per service and name under <dir>/state/, written
 * atomically (temp file + rename) shortly after each change and when the host stops, so a
 * restart keeps the platform.
 */
import fs from 'node:fs'
import path from 'node:path'

export interface Stored<T> {
  data: T
  /** Mark changed; written within a few milliseconds. */
  save(): void
}

export class StateStore {
  private readonly entries = new Map<string, {file: string; value: {data: unknown}; dirty: boolean}>()
  private timer: NodeJS.Timeout | undefined

  constructor(readonly dir: string) {}

  /** The directory a service may use for its own bulk files. */
  serviceDir(service: string): string {
    const d = path.join(this.dir, service)
    fs.mkdirSync(d, {recursive: true})
    return d
  }

  open<T>(service: string, name: string, seed: () => T): Stored<T> {
    const key = `${service}/${name}`
    const existing = this.entries.get(key)
    if (existing) return this.handle<T>(key)
    const file = path.join(this.dir, service, `${name}.json`)
    let data: T
    if (fs.existsSync(file)) {
      data = JSON.parse(fs.readFileSync(file, 'utf8')) as T
      this.entries.set(key, {file, value: {data}, dirty: false})
    } else {
      data = seed()
      this.entries.set(key, {file, value: {data}, dirty: true})
      this.schedule()
    }
    return this.handle<T>(key)
  }

  /** Replace a stored document (reset/reseed). */
  replace<T>(service: string, name: string, data: T): void {
    const key = `${service}/${name}`
    const e = this.entries.get(key)
    if (e) {
      e.value.data = data
      e.dirty = true
    } else {
      this.entries.set(key, {file: path.join(this.dir, service, `${name}.json`), value: {data}, dirty: true})
    }
    this.schedule()
  }

  private handle<T>(key: string): Stored<T> {
    const entry = this.entries.get(key)!
    const save = () => {
      entry.dirty = true
      this.schedule()
    }
    return {
      get data() {
        return entry.value.data as T
      },
      set data(v: T) {
        entry.value.data = v
      },
      save,
    }
  }

  private schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.flush()
    }, 20)
    this.timer.unref?.()
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    for (const e of this.entries.values()) {
      if (!e.dirty) continue
      fs.mkdirSync(path.dirname(e.file), {recursive: true})
      const tmp = `${e.file}.${process.pid}.tmp`
      fs.writeFileSync(tmp, JSON.stringify(e.value.data))
      fs.renameSync(tmp, e.file)
      e.dirty = false
    }
  }

  /** Forget everything (memory and disk): the next open() seeds again. */
  wipe(): void {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    this.entries.clear()
    fs.rmSync(this.dir, {recursive: true, force: true})
    fs.mkdirSync(this.dir, {recursive: true})
  }
}
