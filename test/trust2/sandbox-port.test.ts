/**
 * The sandbox keeps its port across restarts (so exported `sandbox env` lines stay valid), unless
 * told otherwise (--port, $IMPRESS_SANDBOX_PORT); a recorded port taken by something else gives a
 * warning and another port. No fixed port is assumed free: the first start asks for port 0.
 */
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {choosePort, DEFAULT_SANDBOX_PORT} from '../../src/lib/sandbox/client.js'
import {runCli, tempHome} from '../helpers/cli.js'

const readyPort = (stdout: string) => Number(/^impress sandbox ready at http:\/\/127\.0\.0\.1:(\d+)/m.exec(stdout)?.[1])

describe('choosePort', () => {
  it('--port, else $IMPRESS_SANDBOX_PORT, else the recorded port, else 4545', () => {
    const none = path.join(os.tmpdir(), 'impress-no-such-state-dir')
    expect(choosePort(none, undefined, {})).toEqual({port: DEFAULT_SANDBOX_PORT, source: 'default'})
    expect(choosePort(none, undefined, {IMPRESS_SANDBOX_PORT: '4600'})).toEqual({port: 4600, source: 'env'})
    expect(choosePort(none, 0, {IMPRESS_SANDBOX_PORT: '4600'})).toEqual({port: 0, source: 'flag'})
    expect(() => choosePort(none, undefined, {IMPRESS_SANDBOX_PORT: 'x'})).toThrow(/IMPRESS_SANDBOX_PORT/)
  })
})

describe('sandbox restarts keep the port', () => {
  const t = tempHome('impress-trust2-port-')
  const env = {IMPRESS_HOME: t.home, IMPRESS_SANDBOX_PORT: undefined}
  const cli = (args: string[], extra: Record<string, string | undefined> = {}) => runCli(args, {env: {...env, ...extra}, cwd: t.cwd})
  let blocker: net.Server | undefined
  afterAll(async () => {
    await cli(['sandbox', 'stop'])
    blocker?.close()
    t.cleanup()
  })

  it('start, stop, start: the same port and the same `sandbox env`; a taken port: a warning and another one, kept', async () => {
    const first = await cli(['sandbox', 'start', '--port', '0'])
    expect(first.exitCode, first.stderr).toBe(0)
    const port = readyPort(first.stdout)
    expect(port).toBeGreaterThan(0)
    const env1 = await cli(['sandbox', 'env'])
    expect(env1.exitCode).toBe(0)
    expect((await cli(['sandbox', 'stop'])).exitCode).toBe(0)

    const second = await cli(['sandbox', 'start'])
    expect(second.exitCode, second.stderr).toBe(0)
    expect(readyPort(second.stdout)).toBe(port)
    expect(second.stderr).not.toMatch(/Warning/)
    expect((await cli(['sandbox', 'env'])).stdout).toBe(env1.stdout)
    expect((await cli(['sandbox', 'stop'])).exitCode).toBe(0)

    // Something else takes the recorded port: the sandbox says so and moves.
    blocker = net.createServer()
    await new Promise<void>((resolve, reject) => blocker!.once('error', reject).listen(port, '127.0.0.1', () => resolve()))
    const third = await cli(['sandbox', 'env'])
    expect(third.exitCode, third.stderr).toBe(0)
    expect(third.stderr).toMatch(new RegExp(`Warning: Port ${port} \\(the port this sandbox used before\\) is taken by another process: the sandbox listens on \\d+ now`))
    const moved = Number(/AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:(\d+)/.exec(third.stdout)?.[1])
    expect(moved).not.toBe(port)
    // the new port is the one recorded for the next restarts
    expect(JSON.parse(fs.readFileSync(path.join(t.home, 'sandbox', 'port.json'), 'utf8')).port).toBe(moved)
  }, 240_000)
})
