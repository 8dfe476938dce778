/**
 * The built-in sandbox environment's workspace (<IMPRESS_HOME>/workspace/lambda): demo
 * sources of the five modules and a tiny build script, written on first use, so that
 * `impress deploy` without any configuration really builds, packages and deploys code.
 * Edit a file under lambda/<module>/src and deploy it.
 */
import fs from 'node:fs'
import path from 'node:path'

const BUILD_SCRIPT = `// Demo build: copies lambda/<module>/src to lambda/<module>/dist (what a bundler would produce).
import fs from 'node:fs'
import path from 'node:path'
const module = process.argv[2]
const root = path.dirname(new URL(import.meta.url).pathname)
const src = path.join(root, module, 'src')
const dist = path.join(root, module, 'dist')
if (!fs.existsSync(src)) { console.error('no sources for module ' + module + ' in ' + src); process.exit(1) }
fs.rmSync(dist, {recursive: true, force: true})
fs.cpSync(src, dist, {recursive: true})
console.log('built ' + module + ' -> ' + path.relative(process.cwd(), dist))
`

export function demoHandler(module: string): string {
  return [
    `// impress-${module}: demo handler of the sandbox workspace. Edit me, then \`impress deploy ${module}\`.`,
    `exports.handler = async (event) => {`,
    `  if (event && event.fail) throw new Error('failure requested by the event')`,
    `  return {ok: true, module: '${module}', source: 'workspace'}`,
    `}`,
    '',
  ].join('\n')
}

/** Write whatever is missing of the demo workspace; never overwrites the user's edits. */
export function ensureDemoWorkspace(baseDir: string, modules: string[]): string[] {
  const written: string[] = []
  const root = path.join(baseDir, 'lambda')
  const put = (file: string, text: string) => {
    if (fs.existsSync(file)) return
    fs.mkdirSync(path.dirname(file), {recursive: true})
    fs.writeFileSync(file, text)
    written.push(file)
  }
  put(path.join(root, 'build.mjs'), BUILD_SCRIPT)
  for (const m of modules) put(path.join(root, m, 'src', 'index.js'), demoHandler(m))
  return written
}
