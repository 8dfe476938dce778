/**
 * The sandbox server process: `node dist/lib/sandbox/main.js --state DIR [--port N] [--time-scale X]`.
 * `impress sandbox start` runs it detached (or in the foreground with --foreground).
 * Prints one ready line with its URL on stdout; stops cleanly on SIGINT/SIGTERM.
 */
import fs from 'node:fs'
import path from 'node:path'
import {parseArgs} from 'node:util'
import {SandboxHost} from './host.js'
import {SANDBOX_PORT_FILE} from './info.js'

export interface ServeOptions {
  stateDir: string
  port: number
  timeScale?: number
  version?: string
  out?: (line: string) => void
  /** Install SIGINT/SIGTERM handlers that stop and exit (default true). */
  handleSignals?: boolean
}

export async function serve(options: ServeOptions): Promise<SandboxHost> {
  const host = new SandboxHost({stateDir: options.stateDir, port: options.port, timeScale: options.timeScale, version: options.version})
  let info
  try {
    info = await host.start()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && options.port !== 0) {
      // The preferred port is taken: fall back to any free port.
      const fallback = new SandboxHost({stateDir: options.stateDir, port: 0, timeScale: options.timeScale, version: options.version})
      info = await fallback.start()
      return finish(fallback, info.url, options)
    }
    throw error
  }
  return finish(host, info.url, options)
}

function finish(host: SandboxHost, url: string, options: ServeOptions): SandboxHost {
  const out = options.out ?? ((line: string) => process.stdout.write(line + '\n'))
  // The port is kept across stops: the next start asks for it again (client.ts choosePort).
  try {
    fs.writeFileSync(path.join(options.stateDir, SANDBOX_PORT_FILE), JSON.stringify({port: Number(new URL(url).port), recordedAt: new Date().toISOString()}) + '\n')
  } catch {
    // a read-only state directory: the next start falls back to the default port
  }
  out(`impress sandbox ready at ${url} (state: ${options.stateDir}, time scale ${host.clock.scale})`)
  if (options.handleSignals === false) return host
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    host.stop().finally(() => process.exit(0))
  }
  host.onShutdown = () => process.exit(0)
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  return host
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href
if (isMain) {
  const {values} = parseArgs({
    options: {
      state: {type: 'string'},
      port: {type: 'string', default: '0'},
      'time-scale': {type: 'string'},
      version: {type: 'string'},
    },
  })
  if (!values.state) {
    process.stderr.write('sandbox: --state DIR is required\n')
    process.exit(2)
  }
  await serve({
    stateDir: values.state,
    port: Number.parseInt(values.port ?? '0', 10),
    timeScale: values['time-scale'] === undefined ? undefined : Number.parseFloat(values['time-scale']),
    version: values.version,
  })
}
