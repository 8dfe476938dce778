/**
 * Runs a function's handler from its deployment package in a child Node.js process, the way
 * the Lambda Node.js runtime does: the package is unpacked once per code hash, the handler
 * `file.export` is imported, called with the event, and killed when it exceeds the
 * function's timeout. A broken package really fails.
 */
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {readZip} from './zip.js'

export interface InvokeOutcome {
  /** The JSON the handler returned, or the Lambda error document. */
  payload: string
  functionError?: 'Unhandled'
  logs: string
  durationMs: number
}

// The runtime's bootstrap: import the handler module, call it, report through IPC.
const RUNNER = String.raw`
const path = require('node:path');
const fs = require('node:fs');
const {pathToFileURL} = require('node:url');
process.on('message', async ({handler, event}) => {
  const dot = handler.lastIndexOf('.');
  const file = handler.slice(0, dot), name = handler.slice(dot + 1);
  const found = ['.js', '.mjs', '.cjs'].map((e) => path.resolve(file + e)).find((f) => fs.existsSync(f));
  try {
    if (!found) { const e = new Error('Cannot find module ' + JSON.stringify(file)); e.name = 'Runtime.ImportModuleError'; throw e; }
    const mod = await import(pathToFileURL(found).href);
    const fn = mod[name] ?? (mod.default && mod.default[name]);
    if (typeof fn !== 'function') { const e = new Error(file + '.' + name + ' is undefined or not exported'); e.name = 'Runtime.HandlerNotFound'; throw e; }
    const result = await fn(event, {functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION, awsRequestId: process.env.AWS_REQUEST_ID});
    process.send({ok: true, result: result === undefined ? null : result}, () => process.exit(0));
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    process.send({ok: false, error: {errorType: e.name || 'Error', errorMessage: e.message, trace: String(e.stack || '').split('\n')}}, () => process.exit(0));
  }
});
`

/** Unpack a package once into `dir/<hash>/` and return that directory. */
export function unpack(codeDir: string, hashHex: string, zip: Buffer): string {
  const target = path.join(codeDir, hashHex)
  if (fs.existsSync(path.join(target, '.unpacked'))) return target
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`
  fs.mkdirSync(tmp, {recursive: true})
  for (const e of readZip(zip)) {
    const dest = path.resolve(tmp, e.name)
    if (!dest.startsWith(path.resolve(tmp) + path.sep)) throw new Error(`zip entry escapes the package: ${e.name}`)
    fs.mkdirSync(path.dirname(dest), {recursive: true})
    fs.writeFileSync(dest, e.data)
  }
  fs.writeFileSync(path.join(tmp, '.unpacked'), '')
  try {
    fs.renameSync(tmp, target)
  } catch {
    fs.rmSync(tmp, {recursive: true, force: true}) // another invoke unpacked it first
  }
  return target
}

export function runHandler(options: {dir: string; handler: string; event: unknown; timeoutMs: number; env: Record<string, string>}): Promise<InvokeOutcome> {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', RUNNER], {
      cwd: options.dir,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {PATH: process.env.PATH ?? '', LAMBDA_TASK_ROOT: options.dir, ...options.env},
    })
    let logs = ''
    const onLog = (c: Buffer) => {
      logs = (logs + c.toString('utf8')).slice(-4096)
    }
    child.stdout?.on('data', onLog)
    child.stderr?.on('data', onLog)
    let done = false
    const finish = (o: Omit<InvokeOutcome, 'durationMs' | 'logs'>) => {
      if (done) return
      done = true
      clearTimeout(timer)
      if (child.exitCode === null) child.kill('SIGKILL')
      resolve({...o, logs, durationMs: Date.now() - started})
    }
    const timer = setTimeout(() => {
      const secs = (options.timeoutMs / 1000).toFixed(2)
      finish({functionError: 'Unhandled', payload: JSON.stringify({errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${secs} seconds`})})
    }, options.timeoutMs)
    child.on('message', (m: {ok: boolean; result?: unknown; error?: unknown}) => {
      if (m.ok) finish({payload: JSON.stringify(m.result)})
      else finish({functionError: 'Unhandled', payload: JSON.stringify(m.error)})
    })
    child.on('exit', (code, signal) => {
      const exited = () =>
        finish({functionError: 'Unhandled', payload: JSON.stringify({errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${options.env.AWS_REQUEST_ID} Error: Runtime exited ${signal ? `with signal: ${signal}` : `with error: exit status ${code}`}`})})
      // The result message may still be in the IPC pipe when 'exit' fires (seen on a loaded
      // machine): the channel disconnects only after every message sent before the exit was read.
      if (!child.connected) return setImmediate(exited)
      const fallback = setTimeout(exited, 2000)
      child.once('disconnect', () => {
        clearTimeout(fallback)
        setImmediate(exited)
      })
    })
    child.on('error', (error) => finish({functionError: 'Unhandled', payload: JSON.stringify({errorType: 'Runtime.StartError', errorMessage: error.message})}))
    child.send({handler: options.handler, event: options.event})
  })
}
