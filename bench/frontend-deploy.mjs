// Frontend deploy figures against an in-process sandbox (run `npm run build` first):
// `impress frontend deploy` of N files (default 2,000) to the demo gh-pages branch, then the
// same directory with K files changed (default 10): blobs uploaded, commits made, requests by
// operation and wall time of each deploy, plus an unchanged redeploy. `--host vercel`: the same
// against the sandbox's Vercel project impress-app (files uploaded, deployments created).
// Usage: node bench/frontend-deploy.mjs [--files 2000] [--changed 10] [--host github-pages|vercel]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {runProcess} from './lib.mjs'

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : def
}
const FILES = Number(arg('files', '2000'))
const CHANGED = Number(arg('changed', '10'))
const HOST = arg('host', 'github-pages')
if (!['github-pages', 'vercel'].includes(HOST)) throw new Error(`--host github-pages|vercel, not ${HOST}`)
// What counts as an upload and as a new version on each host (sandbox operation names).
const OPS = HOST === 'vercel' ? {service: 'vercel', upload: 'deployments.uploadFile', version: 'deployments.createDeployment', uploadWord: 'files uploaded', versionWord: 'create-deployment calls'} : {service: 'github', upload: 'git/create-blob', version: 'git/create-commit', uploadWord: 'blobs uploaded', versionWord: 'commits'}
const root = new URL('..', import.meta.url).pathname
const bin = path.join(root, 'bin/run.js')
const {SandboxHost} = await import(path.join(root, 'dist/lib/sandbox/host.js'))

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'frontend-bench-'))
const dir = path.join(home, 'build')
const host = new SandboxHost({stateDir: path.join(home, 'sandbox'), port: 0, timeScale: 0.001})
const info = await host.start()
const env = {...process.env, IMPRESS_HOME: home, CI: 'true'}
const get = async (p) => (await fetch(`${info.url}${p}`)).json()
const config = path.join(home, 'impress.config.yaml')
const configArgs = HOST === 'vercel' ? ['--config', config] : []
if (HOST === 'vercel') fs.writeFileSync(config, 'environments:\n  web:\n    sandbox: {}\n    frontend:\n      host: vercel\n      vercel: {project: impress-app, teamId: team_Imp7ess0Sandb0xTeam00000001}\n')

try {
  for (let i = 0; i < FILES; i++) {
    const file = path.join(dir, `assets/${Math.floor(i / 100)}/chunk-${i}.js`)
    fs.mkdirSync(path.dirname(file), {recursive: true})
    fs.writeFileSync(file, `// chunk ${i}\nexport const value = ${JSON.stringify('x'.repeat(200 + (i % 300)))}\n`)
  }
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><p>bench</p>\n')

  const deploy = async (label) => {
    await fetch(`${info.url}/_sandbox/requests`, {method: 'DELETE'})
    const t0 = performance.now()
    const r = await runProcess(process.execPath, [bin, 'frontend', 'deploy', '--dir', dir, '--json', ...configArgs], {env, cwd: home})
    const ms = performance.now() - t0
    if (r.code !== 0) throw new Error(`${label}: exit ${r.code}\n${r.err}`)
    const doc = JSON.parse(r.out)
    const ops = (await get(`/_sandbox/requests?service=${OPS.service}`)).counts[OPS.service] ?? {}
    const requests = Object.values(ops).reduce((a, b) => a + b, 0)
    console.log(`${HOST} ${label.padEnd(34)} files ${String(doc.files).padStart(5)}  changed ${String(doc.upload.length).padStart(5)}  ${OPS.uploadWord} ${String(ops[OPS.upload] ?? 0).padStart(5)}  ${OPS.versionWord} ${ops[OPS.version] ?? 0}  requests ${String(requests).padStart(5)}  wall ${(ms / 1000).toFixed(2)} s (in-command ${(doc.durationMs / 1000).toFixed(2)} s)`)
    return {doc, ops}
  }

  await deploy(`first deploy (${FILES + 1} files)`)
  const changed = await (async () => {
    for (let i = 0; i < CHANGED; i++) fs.appendFileSync(path.join(dir, `assets/${Math.floor((i * 37) / 100)}/chunk-${i * 37}.js`), `// changed ${Date.now()}\n`)
    return deploy(`redeploy, ${CHANGED} files changed`)
  })()
  const same = await deploy('redeploy, nothing changed')
  if ((changed.ops[OPS.upload] ?? 0) !== CHANGED) throw new Error(`expected ${CHANGED} uploads, got ${changed.ops[OPS.upload]}`)
  if (same.ops[OPS.upload] || same.ops[OPS.version]) throw new Error('an unchanged redeploy uploaded or made a new version')
  console.log(`requests of the ${CHANGED}-file redeploy: ${JSON.stringify(changed.ops)}`)
} finally {
  await host.stop()
  fs.rmSync(home, {recursive: true, force: true})
}
