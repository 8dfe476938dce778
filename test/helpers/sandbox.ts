/** An in-process sandbox host for tests, published in a temp IMPRESS_HOME so the CLI finds it. */
import path from 'node:path'
import {SandboxHost} from '../../src/lib/sandbox/host.js'
import {tempHome} from './cli.js'

export interface TestSandbox {
  host: SandboxHost
  url: string
  home: string
  cwd: string
  stateDir: string
  /** Environment for runCli: targets this sandbox, isolated audit log. */
  env: Record<string, string>
  stop(): Promise<void>
}

export async function startTestSandbox(options: {timeScale?: number; stateDir?: string; home?: string} = {}): Promise<TestSandbox> {
  const t = tempHome()
  const home = options.home ?? t.home
  const stateDir = options.stateDir ?? path.join(home, 'sandbox')
  const host = new SandboxHost({stateDir, port: 0, timeScale: options.timeScale ?? 0.001})
  const info = await host.start()
  return {
    host,
    url: info.url,
    home,
    cwd: t.cwd,
    stateDir,
    env: {IMPRESS_HOME: home, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
    async stop() {
      await host.stop()
      t.cleanup()
    },
  }
}

/** Fake AWS client settings for SDK clients in tests. */
export function awsTestConfig(url: string) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  return {region: 'eu-west-1', endpoint: url, credentials: {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'}, maxAttempts: 3}
}
