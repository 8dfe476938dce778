/** Sandbox server processes that CLI runs started on demand under a directory (their sandbox.json), and stopping them. */
import fs from 'node:fs'
import path from 'node:path'

export function findFiles(dir: string, name: string, depth: number): string[] {
  if (depth < 0) return []
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(dir, {withFileTypes: true})
  } catch {
    return []
  }
  return entries.flatMap((e) => (e.isDirectory() ? findFiles(path.join(dir, e.name), name, depth - 1) : e.name === name ? [path.join(dir, e.name)] : []))
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Stop (SIGTERM) every sandbox still running whose sandbox.json lies under `dir`; returns what was stopped. */
export function stopSandboxesUnder(dir: string, depth = 6): {pid: number; where: string}[] {
  const stopped: {pid: number; where: string}[] = []
  for (const info of findFiles(dir, 'sandbox.json', depth)) {
    try {
      const {pid} = JSON.parse(fs.readFileSync(info, 'utf8')) as {pid?: number}
      // An in-process host (test/helpers/sandbox.ts) publishes this process's own pid: never ours to stop here.
      if (pid && pid !== process.pid && alive(pid)) {
        process.kill(pid, 'SIGTERM')
        stopped.push({pid, where: path.dirname(info)})
      }
    } catch {
      // unreadable: not ours to judge
    }
  }
  return stopped
}
