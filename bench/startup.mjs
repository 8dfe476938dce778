// Startup time: `impress --version` and `impress --help` against `node -e 0`, in one run.
// Target (issue "Foundation"): at most 2.5x `node -e 0`. Run: npm run bench:startup
import {execFileSync} from 'node:child_process'
import {performance} from 'node:perf_hooks'

const RUNS = Number(process.env.RUNS ?? 15)
const bin = new URL('../bin/run.js', import.meta.url).pathname

function median(cmd, args) {
  const times = []
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now()
    execFileSync(cmd, args, {stdio: 'ignore', env: {...process.env, CI: 'true'}})
    if (i >= 2) times.push(performance.now() - t0) // two warm-up runs
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

const base = median(process.execPath, ['-e', '0'])
const rows = [
  ['node -e 0', base],
  ['impress --version', median(process.execPath, [bin, '--version'])],
  ['impress --help', median(process.execPath, [bin, '--help'])],
  ['impress sandbox start --help', median(process.execPath, [bin, 'sandbox', 'start', '--help'])],
]
console.log(`startup, median of ${RUNS} runs (ms)`)
for (const [name, ms] of rows) console.log(`${name.padEnd(30)} ${ms.toFixed(1).padStart(8)}  ${(ms / base).toFixed(2)}x`)
const worst = Math.max(...rows.slice(1, 3).map(([, ms]) => ms / base))
console.log(worst <= 2.5 ? `OK: worst ratio ${worst.toFixed(2)}x <= 2.5x` : `OVER TARGET: worst ratio ${worst.toFixed(2)}x > 2.5x`)
