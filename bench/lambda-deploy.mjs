// Lambda deploy figures against an in-process sandbox (run after `npm run build`):
//   1. `impress deploy --all` with nothing changed: uploads, Lambda requests per module, wall time vs `impress --version`
//   2. all five changed: wall time vs the slowest single-module deploy (parallelism), --concurrency 5 and the default 4
//   3. peak RSS of the CLI deploying a large artifact (BIG_MB, default 45 MB of incompressible data)
//   4. the same deploy steps with the AWS CLI (`aws lambda …  --endpoint-url`), when `aws` is installed
// Run: node bench/lambda-deploy.mjs   (BIG_MB=0 skips 3; RUNS=3 medians)
import {execFile, execFileSync, spawn} from 'node:child_process'
import {promisify} from 'node:util'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {setInterval, clearInterval} from 'node:timers'
import {SandboxHost} from '../dist/lib/sandbox/host.js'

const RUNS = Number(process.env.RUNS ?? 3)
const BIG_MB = Number(process.env.BIG_MB ?? 45)
const SCALE = Number(process.env.TIME_SCALE ?? 0.01)
const bin = new URL('../bin/run.js', import.meta.url).pathname
const modules = ['etl', 'request', 'compute', 'message', 'pdf']

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-bench-lambda-'))
const home = path.join(root, 'home')
const host = new SandboxHost({stateDir: path.join(home, 'sandbox'), port: 0, timeScale: SCALE})
const info = await host.start()
const env = {...process.env, IMPRESS_HOME: home, CI: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'}
const ws = (m) => path.join(home, 'workspace', 'lambda', m, 'src', 'index.js')

/** Run the CLI; returns wall ms, exit code and peak RSS (VmHWM, sampled from /proc). */
function cli(args) {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [bin, ...args], {env, cwd: root, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (err += c))
    let peakKb = 0
    const sample = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))
        if (m) peakKb = Math.max(peakKb, Number(m[1]))
      } catch {
        // exited
      }
    }, 10)
    child.on('exit', (code) => {
      clearInterval(sample)
      resolve({ms: performance.now() - t0, code, out, err, peakMb: peakKb / 1024})
    })
  })
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const resetCounts = () => host.requests.reset()
const counts = () => host.requests.snapshot(false, 'lambda').counts.lambda ?? {}
const total = (c) => Object.values(c).reduce((s, n) => s + n, 0)
const touch = (m) => fs.appendFileSync(ws(m), `// change ${crypto.randomUUID()}\n`)
const check = (r, what) => {
  if (r.code !== 0) {
    console.error(`${what} failed (exit ${r.code}):\n${r.err}`)
    process.exitCode = 1
  }
}

try {
  // warm-up: writes the demo workspace, deploys it once
  check(await cli(['deploy', '--all']), 'first deploy')

  // 1. nothing changed
  const version = []
  for (let i = 0; i < RUNS; i++) version.push((await cli(['--version'])).ms)
  const unchanged = []
  let unchangedCounts = {}
  for (let i = 0; i < RUNS; i++) {
    resetCounts()
    const r = await cli(['deploy', '--all'])
    check(r, 'unchanged deploy')
    unchanged.push(r.ms)
    unchangedCounts = counts()
  }
  // the same, with prebuilt artifacts (no build step): impress's own cost
  const project = path.join(root, 'project')
  fs.mkdirSync(project, {recursive: true})
  const yaml = ['environments:', '  bench:', '    sandbox: {}', '    aws: {region: eu-west-1}', '    lambda:', '      modules:']
  for (const m of modules) yaml.push(`        ${m}: {function: impress-${m}, artifact: ${path.join(home, 'workspace', 'lambda', m, 'dist')}}`)
  fs.writeFileSync(path.join(project, 'impress.config.yaml'), yaml.join('\n') + '\n')
  const noBuild = []
  for (let i = 0; i < RUNS; i++) {
    const r = await cli(['deploy', '--all', '--config', path.join(project, 'impress.config.yaml')])
    check(r, 'unchanged deploy without builds')
    noBuild.push(r.ms)
  }
  const uploads = unchangedCounts.UpdateFunctionCode ?? 0
  console.log('1. impress deploy --all, nothing changed')
  console.log(`   uploads: ${uploads}; Lambda requests: ${total(unchangedCounts)} (${(total(unchangedCounts) / modules.length).toFixed(1)} per module: ${JSON.stringify(unchangedCounts)})`)
  console.log(`   wall: ${median(unchanged).toFixed(0)} ms vs impress --version ${median(version).toFixed(0)} ms (${(median(unchanged) / median(version)).toFixed(2)}x; the 5 builds skipped: their declared inputs are unchanged)`)
  const rebuilt = []
  for (let i = 0; i < RUNS; i++) rebuilt.push((await cli(['deploy', '--all', '--rebuild'])).ms)
  console.log(`   with --rebuild (5 builds = 5 node processes): ${median(rebuilt).toFixed(0)} ms (${(median(rebuilt) / median(version)).toFixed(2)}x)`)
  console.log(`   without build steps (prebuilt artifacts): ${median(noBuild).toFixed(0)} ms (${(median(noBuild) / median(version)).toFixed(2)}x impress --version)`)
  // The floor: what a bare Node.js process pays to import the Lambda SDK client the issue mandates,
  // against the 0.3x of `impress --version` that the ≤ 1.3x target leaves for the whole deploy.
  const bare = (args) => new Promise((resolve) => {
    const t0 = performance.now()
    spawn(process.execPath, args, {stdio: 'ignore', cwd: path.dirname(bin)}).on('exit', () => resolve(performance.now() - t0))
  })
  const node0 = []
  const sdk = []
  for (let i = 0; i < RUNS; i++) {
    node0.push(await bare(['-e', '0']))
    sdk.push(await bare(['--input-type=module', '-e', "await import('@aws-sdk/client-lambda')"]))
  }
  const sdkCost = median(sdk) - median(node0)
  console.log(`   floor: importing @aws-sdk/client-lambda in a bare node costs ${sdkCost.toFixed(0)} ms = ${(sdkCost / median(version)).toFixed(2)}x impress --version (the 1.3x target leaves 0.30x for everything a deploy adds)`)

  // 2. parallelism
  const single = {}
  for (const m of modules) {
    touch(m)
    const r = await cli(['deploy', m])
    check(r, `deploy ${m}`)
    single[m] = r.ms
  }
  const slowest = Math.max(...Object.values(single))
  const all = {}
  for (const c of [5, 4, 1]) {
    for (const m of modules) touch(m)
    resetCounts()
    const r = await cli(['deploy', '--all', '--concurrency', String(c)])
    check(r, `deploy --all --concurrency ${c}`)
    all[c] = {ms: r.ms, requests: total(counts())}
  }
  console.log('2. impress deploy --all, all five changed')
  console.log(`   single-module deploys (ms): ${modules.map((m) => `${m} ${single[m].toFixed(0)}`).join(', ')}; slowest ${slowest.toFixed(0)}`)
  for (const c of [5, 4, 1]) console.log(`   --concurrency ${c}: ${all[c].ms.toFixed(0)} ms = ${(all[c].ms / slowest).toFixed(2)}x the slowest single (${all[c].requests} Lambda requests)`)

  // 3. memory with a large artifact
  if (BIG_MB > 0) {
    const asset = path.join(path.dirname(ws('pdf')), 'fonts.bin')
    fs.writeFileSync(asset, crypto.randomBytes(BIG_MB * 1024 * 1024))
    const r = await cli(['deploy', 'pdf'])
    check(r, 'large deploy')
    console.log(`3. impress deploy pdf with a ${BIG_MB} MB artifact: peak RSS ${r.peakMb.toFixed(0)} MB, ${r.ms.toFixed(0)} ms`)
    fs.rmSync(asset)
    check(await cli(['deploy', 'pdf']), 'shrink pdf again')
  }

  // 4. AWS CLI, the same steps for one module
  let aws
  try {
    aws = execFileSync('sh', ['-c', 'command -v aws'], {encoding: 'utf8'}).trim()
  } catch {
    aws = undefined
  }
  if (!aws) {
    console.log('4. AWS CLI comparison skipped: `aws` is not installed')
  } else {
    const awsEnv = {...env, AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_DEFAULT_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_PAGER: ''}
    // asynchronous: the sandbox runs in this process and must keep answering
    const run = promisify(execFile)
    const awsVersion = execFileSync(aws, ['--version'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}).trim().split(' ')[0]
    const awsV2 = awsVersion.startsWith('aws-cli/2')
    const a = async (...args) => (await run(aws, ['lambda', ...args, '--endpoint-url', info.url, '--output', 'json'], {env: awsEnv, encoding: 'utf8'})).stdout
    const zip = path.join(root, 'etl.zip')
    const deployWithAws = async () => {
      // package what impress would (build + zip), then the deploy steps by hand
      await run(process.execPath, [path.join(home, 'workspace', 'lambda', 'build.mjs'), 'etl'], {cwd: path.join(home, 'workspace')})
      fs.rmSync(zip, {force: true})
      await run('python3', ['-c', `import zipfile,sys;z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED);z.write(sys.argv[2],'index.js');z.close()`, zip, path.join(home, 'workspace', 'lambda', 'etl', 'dist', 'index.js')])
      const cur = JSON.parse(await a('get-alias', '--function-name', 'impress-etl', '--name', 'live'))
      JSON.parse(await a('get-function-configuration', '--function-name', 'impress-etl', '--qualifier', cur.FunctionVersion))
      await a('update-function-code', '--function-name', 'impress-etl', '--zip-file', `fileb://${zip}`)
      await run(aws, ['lambda', 'wait', 'function-updated-v2', '--function-name', 'impress-etl', '--endpoint-url', info.url], {env: awsEnv})
      const v = JSON.parse(await a('publish-version', '--function-name', 'impress-etl', '--description', 'aws cli'))
      await a('invoke', '--function-name', 'impress-etl', '--qualifier', v.Version, '--payload', '{"ping":true}', ...(awsV2 ? ['--cli-binary-format', 'raw-in-base64-out'] : []), path.join(root, 'out.json'))
      await a('update-alias', '--function-name', 'impress-etl', '--name', 'live', '--function-version', v.Version)
    }
    touch('etl')
    resetCounts()
    let t0 = performance.now()
    await deployWithAws()
    const awsMs = performance.now() - t0
    const awsReq = total(counts())
    touch('etl')
    resetCounts()
    t0 = performance.now()
    const r = await cli(['deploy', 'etl'])
    check(r, 'impress deploy etl')
    const impMs = performance.now() - t0
    const impReq = total(counts())
    const impOps = counts()
    // again: the alias now carries impress's mark (the AWS CLI's update-alias above left a stale one)
    touch('etl')
    resetCounts()
    t0 = performance.now()
    const r2 = await cli(['deploy', 'etl'])
    check(r2, 'impress deploy etl (again)')
    const imp2Ms = performance.now() - t0
    const imp2Req = total(counts())
    const imp2Ops = counts()
    console.log('4. one changed module, same steps (check, upload, wait, publish, smoke invoke, move alias)')
    console.log(`   AWS CLI (${awsVersion}): ${awsReq} requests, ${awsMs.toFixed(0)} ms (7 processes)`)
    console.log(`   impress:  ${impReq} requests, ${impMs.toFixed(0)} ms (1 process + its build) ${JSON.stringify(impOps)}`)
    console.log(`   impress again (alias last moved by impress): ${imp2Req} requests, ${imp2Ms.toFixed(0)} ms ${JSON.stringify(imp2Ops)}`)
    console.log(`   ${impReq < awsReq && impMs < awsMs ? 'OK: impress needs fewer requests and less time' : 'NOT BETTER: see the figures above'}`)
  }
} finally {
  await host.stop()
  fs.rmSync(root, {recursive: true, force: true})
}
