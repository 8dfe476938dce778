/** Where a running sandbox announces itself: kept apart from host.ts so the CLI can read it without loading every emulation. */
export const SANDBOX_INFO_FILE = 'sandbox.json'

export interface SandboxInfo {
  pid: number
  url: string
  port: number
  stateDir: string
  startedAt: string
  timeScale: number
  version: string
  /** Extra endpoints of side servers, e.g. {smtp: 'smtp://127.0.0.1:2525'}. */
  endpoints: Record<string, string>
}

/** The port a sandbox last listened on, kept across stops so a restart reuses it (and exported `sandbox env` lines stay valid). */
export const SANDBOX_PORT_FILE = 'port.json'
