/**
 * `impress init --yes` in an empty folder writes a configuration with which the sandbox really
 * works: its $schema resolves, its "Next:" command (a deploy of every module) runs as written,
 * and the drill plans every part. Then the drill against the same real sandbox with a system it
 * cannot rehearse (Firebase without a scratch target): not PASSED, the part named in the output,
 * the JUnit and HTML reports, exit 3; with drill.outOfScope: [firebase] it passes.
 */
import fs from 'node:fs'
import path from 'node:path'
import {parseDocument} from 'yaml'
import {afterAll, describe, expect, it} from 'vitest'
import {runCli, tempHome} from '../helpers/cli.js'

describe('init --yes, then the commands it promises, on a real sandbox', () => {
  const t = tempHome('impress-trust2-init-')
  const env = {IMPRESS_HOME: t.home, IMPRESS_SANDBOX_PORT: undefined}
  const cli = (args: string[]) => runCli(args, {env, cwd: t.cwd, timeout: 120_000})
  const configFile = path.join(t.cwd, 'impress.config.yaml')
  afterAll(async () => {
    await cli(['sandbox', 'stop'])
    t.cleanup()
  })

  it('writes a file whose $schema resolves and whose Next: command deploys every module; the drill plans every part', async () => {
    const init = await cli(['init', '--yes'])
    expect(init.exitCode, init.stderr).toBe(0)
    const text = fs.readFileSync(configFile, 'utf8')
    const schema = /\$schema=(\S+)/.exec(text)![1]
    const schemaFile = path.resolve(t.cwd, schema)
    expect(fs.existsSync(schemaFile), schemaFile).toBe(true)
    expect(JSON.parse(fs.readFileSync(schemaFile, 'utf8')).properties.environments).toBeTruthy()

    // Fast simulated durations; the port is any free one (never a fixed port in tests).
    expect((await cli(['sandbox', 'start', '--port', '0', '--time-scale', '0.0005'])).exitCode).toBe(0)
    const next = /^Next: (impress [^(]+?)\s*(\(|$)/m.exec(init.stdout)![1]
    expect(next).toBe('impress deploy --all --yes --env sandbox')
    const deploy = await cli(next.split(' ').slice(1))
    expect(deploy.exitCode, deploy.stderr).toBe(0)
    expect(deploy.stdout).toMatch(/5 deployed/)

    const plan = await cli(['drill', '--dry-run', '--json'])
    expect(plan.exitCode, plan.stderr).toBe(0)
    const p = JSON.parse(plan.stdout)
    expect(p.parts).toEqual({aurora: true, firebase: true, firestore: true, lambda: true, monitoring: true})
    expect(p.notRehearsed).toEqual([])
  }, 240_000)

  it('a configured system not rehearsed: not PASSED, named in the output and reports, exit 3; out of scope: passes', async () => {
    const doc = parseDocument(fs.readFileSync(configFile, 'utf8'))
    doc.deleteIn(['environments', 'sandbox', 'drill', 'firebaseTarget'])
    fs.writeFileSync(configFile, doc.toString())
    const junit = path.join(t.cwd, 'drill.xml')
    const r = await cli(['drill', '--yes', '--junit', junit])
    expect(r.exitCode, r.stderr).toBe(3)
    expect(r.stdout + r.stderr).not.toMatch(/PASSED/)
    expect(r.stdout).toMatch(/firebase: NOT REHEARSED/)
    expect(r.stderr).toMatch(/drill\.outOfScope/)
    const xml = fs.readFileSync(junit, 'utf8')
    expect(xml).toMatch(/firebase[^]*<failure/)
    const html = /report: (\S+report\.html)/.exec(r.stdout)?.[1]
    expect(html, r.stdout).toBeTruthy()
    expect(fs.readFileSync(html!, 'utf8')).toMatch(/firebase[^<]*NOT REHEARSED|NOT REHEARSED[^<]*firebase/i)

    doc.setIn(['environments', 'sandbox', 'drill', 'outOfScope'], ['firebase'])
    fs.writeFileSync(configFile, doc.toString())
    const ok = await cli(['drill', '--yes', '--json'])
    expect(ok.exitCode, ok.stderr).toBe(0)
    const report = JSON.parse(ok.stdout).report
    expect(report.status).toBe('passed')
    expect(report.notRehearsed).toEqual([expect.objectContaining({part: 'firebase', outOfScope: true})])
  }, 240_000)
})
