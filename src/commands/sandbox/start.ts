import {Flags} from '@oclif/core'
import {UsageError} from '../../lib/errors.js'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {choosePort, DEFAULT_SANDBOX_PORT, findRunning, portMovedWarning, startDetached, type SandboxHealth} from '../../lib/sandbox/client.js'
import {chooseStateDir} from '../../lib/sandbox/state-dir.js'

export default class SandboxStart extends ImpressCommand<typeof SandboxStart> {
  static override summary = 'Run the local sandbox platform (AWS, Auth0, Firebase, GitHub… stand-ins over HTTP).'
  static override description =
    'Starts one local HTTP server that speaks the cloud APIs impress uses, seeded with a demo IMPRESS platform. ' +
    'It runs in the background and keeps its state in a directory, so a restart keeps the platform. ' +
    'Every command starts it on demand when no impress.config.yaml exists.'
  static override examples = [
    '<%= config.bin %> sandbox start',
    '<%= config.bin %> sandbox start --port 0 --state ./.sandbox --time-scale 0.001',
    '<%= config.bin %> sandbox start --foreground',
  ]
  static handlesInterrupt = true
  static override flags = {
    port: Flags.integer({
      description: `Port to listen on (0: any free port). Default: $IMPRESS_SANDBOX_PORT, else the port this state directory's sandbox used last (kept across restarts), else ${DEFAULT_SANDBOX_PORT}; a taken port falls back to a free one, with a warning.`,
      min: 0,
      max: 65535,
    }),
    state: Flags.string({description: 'State directory (default: the environment\'s, or ~/.local/state/impress/sandbox).'}),
    'time-scale': Flags.string({description: 'Multiply simulated durations (a 20-minute restore) by this factor. Default 0.01.'}),
    foreground: Flags.boolean({description: 'Run in this process until Ctrl-C instead of in the background.'}),
  }

  async run(): Promise<SandboxHealth | {url: string; stateDir: string; pid: number}> {
    const stateDir = chooseStateDir(this.flags.state, () => this.environment.sandboxStateDir)
    const timeScale = parseScale(this.flags['time-scale'])
    const running = await findRunning(stateDir)
    if (running) {
      this.io.out(`impress sandbox already running at ${running.url} (state: ${running.stateDir}, pid ${running.pid})`)
      return running
    }
    const choice = choosePort(stateDir, this.flags.port)
    if (this.flags.foreground) {
      const {serve} = await import('../../lib/sandbox/main.js')
      const host = await serve({stateDir, port: choice.port, timeScale, version: this.config.version, out: (l) => this.io.info(l), handleSignals: false})
      const movedTo = portMovedWarning(choice, {port: Number(new URL(host.baseUrl).port)})
      if (movedTo) this.io.warn(movedTo)
      // Runs until Ctrl-C / SIGTERM (the base command aborts the signal) or a shutdown request.
      await new Promise<void>((resolve) => {
        this.signal.addEventListener('abort', () => resolve(), {once: true})
        host.onShutdown = () => resolve()
      })
      await host.stop()
      this.io.info('impress sandbox stopped')
      return {url: host.baseUrl, stateDir, pid: process.pid}
    }
    const started = await startDetached({stateDir, port: choice.port, timeScale, version: this.config.version})
    const moved = portMovedWarning(choice, started)
    if (moved) this.io.warn(moved)
    this.io.out(`impress sandbox ready at ${started.url} (state: ${started.stateDir}, pid ${started.pid})`)
    return started
  }
}

function parseScale(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0 || n > 1000) {
    throw new UsageError(`--time-scale expects a positive number up to 1000, got "${v}".`, {hint: 'For example --time-scale 0.01 (a 20-minute restore takes 12 s).'})
  }
  return n
}
