// Startup time: `impress --version` and `impress --help` against `node -e 0`, in one run.
// Target (issue "Foundation"): at most 2.5x `node -e 0`. Run: npm run bench:startup
// The commands are interleaved (one of each per round) so machine load drifts hit all alike.
import {execFileSync} from 'node:child_process'
import {performance} from 'node:perf_hooks'

const RUNS = Number(process.env.RUNS ?? 21)
const bin = new URL('../bin/run.js', import.meta.url).pathname
const cases = [
  ['node -e 0', [process.execPath, ['-e', '0']]],
  ['impress --version', [process.execPath, [bin, '--version']]],
  ['impress --help', [process.execPath, [bin, '--help']]],
  ['impress sandbox start --help', [process.execPath, [bin, 'sandbox', 'start', '--help']]],
]
const times = cases.map(() => [])
for (let round = 0; round < RUNS + 2; round++) {
  for (const [i, [, [cmd, args]]] of cases.entries()) {
    const t0 = performance.now()
    execFileSync(cmd, args, {stdio: 'ignore', env: {...process.env, CI: 'true'}})
    if (round >= 2) times[i].push(performance.now() - t0) // two warm-up rounds
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const base = median(times[0])
console.log(`startup, median of ${RUNS} interleaved rounds (ms)`)
for (const [i, [name]] of cases.entries()) console.log(`${name.padEnd(30)} ${median(times[i]).toFixed(1).padStart(8)}  ${(median(times[i]) / base).toFixed(2)}x`)
const worst = Math.max(median(times[1]), median(times[2])) / base
console.log(worst <= 2.5 ? `OK: worst ratio ${worst.toFixed(2)}x <= 2.5x` : `OVER TARGET: worst ratio ${worst.toFixed(2)}x > 2.5x`)
