import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js'

let sb: TestSandbox
beforeAll(async () => {
  sb = await startTestSandbox({timeScale: 0.001})
})
afterAll(async () => {
  await sb.stop()
})

describe('impress status', () => {
  it('shows every section of the demo platform; --check exits 3 on its policy breaks', async () => {
    const r = await runCli(['status', '--json'], {env: sb.env, cwd: sb.cwd})
    expect(r.exitCode, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.sections.map((s: {name: string}) => s.name)).toEqual(['lambda', 'aurora', 'firebase', 'roles', 'compliance', 'last drill'])
    expect(doc.sections.every((s: {ok: boolean}) => s.ok)).toBe(true)
    expect(doc.sections[0].rows).toContainEqual(['pdf', 'live → v3'])
    expect(doc.problems).toContain('no drill has ever run: run `impress drill`')
    expect(doc.problems).toContain('no complete Firebase backup: run `impress firebase backup`')
    // the seeded roles.yaml drifts from the seeded tenant on purpose
    expect(doc.sections.find((s: {name: string}) => s.name === 'roles').rows[0][1]).toMatch(/^\d+ change\(s\)/)
    const check = await runCli(['status', '--check'], {env: sb.env, cwd: sb.cwd})
    expect(check.exitCode).toBe(3)
    expect(check.stdout).toMatch(/! no drill has ever run/)
  })

  it('a service that is down shows its error in its own row; the other sections still show', async () => {
    // Deterministic: exactly the SDK's 5 attempts at the cluster read fail (a count, not a service
    // down for as long as the run happens to take), and nothing else is faulted.
    const downFor = async (args: string[]) => {
      await fetch(`${sb.url}/_sandbox/faults`, {method: 'DELETE'})
      await fetch(`${sb.url}/_sandbox/requests`, {method: 'DELETE'})
      await fetch(`${sb.url}/_sandbox/faults`, {method: 'POST', body: JSON.stringify({service: 'rds', operation: 'DescribeDBClusters', kind: 'error', status: 503, times: 5})})
      const r = await runCli(args, {env: sb.env, cwd: sb.cwd})
      const log = (await (await fetch(`${sb.url}/_sandbox/requests?log=1&service=rds`)).json()) as {log: {operation: string; status?: number; fault?: string}[]}
      // the section's first call failed all its attempts, so it made no other RDS call
      expect(log.log.map((l) => [l.operation, l.status])).toEqual(Array.from({length: 5}, () => ['DescribeDBClusters', 503]))
      return r
    }
    try {
      const r = await downFor(['status', '--json'])
      expect(r.exitCode, r.stderr).toBe(0)
      const doc = JSON.parse(r.stdout)
      const aurora = doc.sections.find((s: {name: string}) => s.name === 'aurora')
      expect(aurora).toMatchObject({ok: false, state: 'failed', error: expect.stringMatching(/503|ServiceUnavailable/)})
      expect(doc.sections.filter((s: {ok: boolean}) => s.ok).map((s: {name: string}) => s.name)).toEqual(['lambda', 'firebase', 'roles', 'compliance', 'last drill'])
      const human = await downFor(['status'])
      // A 503 is an answer, not a network failure: "failed", never "unreachable".
      expect(human.stdout).toMatch(/^aurora {2}failed \(/m)
      expect(human.stdout).toMatch(/live → v3/)
    } finally {
      await fetch(`${sb.url}/_sandbox/faults`, {method: 'DELETE'})
    }
  })
})
