// Build (npm run build, and prepare): esbuild, in three outputs. `npm run typecheck` checks the
// sources with tsc; the build only transpiles and bundles. Why a bundle: start-up (docs/perf/startup.md).
//
// 1. dist/lib/**, dist/commands/**: every source file transpiled one to one (the layout tsc
//    gave): what scripts, benches and a few tests import by path. The CLI does not run it.
// 2. dist/bundle/cli.cjs: @oclif/core and src/cli.ts in one minified CommonJS file, the part
//    every command runs. bin/run.js compiles it with a V8 code cache (cli.cjs.cache, written by
//    the warm-up run at the end of this script, rewritten by bin/run.js when V8 rejects it).
// 3. dist/bundle/{commands,hooks,lib,chunks}: the rest, minified ESM with code splitting, so a
//    command loads its own entry file and the chunks it imports, nothing else; each SDK is a
//    lazy chunk of its own. In these files `@oclif/core` is the copy cli.cjs holds (below).
//    Entry points are discovered, so a new command needs no edit here:
//      src/commands/**/*.ts → dist/bundle/commands/**/*.js  one per command; oclif imports it via the manifest
//      src/hooks/**/*.ts    → dist/bundle/hooks/**/*.js     oclif hooks named in package.json (oclif.hooks)
//      RUN_BY_PATH          → dist/bundle/lib/…             files started by their path, not imported
//    and the oclif plugins the CLI uses (BUNDLED_PLUGINS): their commands become
//    dist/bundle/commands/… and their hooks dist/bundle/hooks/<event>.js, so oclif reads one
//    manifest and resolves no plugin at start-up.
// Then oclif.manifest.json (from dist/bundle/commands) and dist/bundle/build-id (a hash of the bundle).
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import * as esbuild from 'esbuild'
import {glob} from 'tinyglobby'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
process.chdir(root)
const require = createRequire(path.join(root, 'package.json'))
const BUNDLE = 'dist/bundle'

/**
 * Files started by their path: the sandbox server (a detached process), the digest worker (a
 * worker thread), and the warm path of `access authorized-keys` that bin/run.js imports before
 * oclif (src/lib/access/fast-path.ts).
 */
const RUN_BY_PATH = ['src/lib/sandbox/main.ts', 'src/lib/firebase/digest-worker.ts', 'src/lib/access/fast-path.ts']

/**
 * oclif plugins compiled into the bundle (from their package.json's oclif.commands and oclif.hooks).
 * Not plugin-not-found: the CLI's own command_not_found hook (src/hooks/) replaced it.
 */
const BUNDLED_PLUGINS = ['@oclif/plugin-help', '@oclif/plugin-autocomplete']

/**
 * Left to node_modules at run time:
 * - typescript, ts-node, tsx: @oclif/core loads them only to run TypeScript sources in development;
 * - firebase-admin and the Google Cloud libraries under it: google-gax reads .proto/.json
 *   descriptors from its own directory at run time, and they load only for Firestore work;
 * - @googleapis/admin: bundled, its `auth` export (set up by googleapis-common) came out undefined;
 *   it loads only for the Google Workspace check.
 */
const EXTERNAL = ['typescript', 'ts-node', 'tsx', 'firebase-admin', 'firebase-admin/*', '@google-cloud/*', '@googleapis/*']

/**
 * CommonJS packages bundled together in dist/bundle/vendor.cjs (scripts/bundle/vendor.mjs), loaded
 * with a V8 code cache on first use: every @aws-sdk/* dependency (found in package.json, so a new
 * client needs no edit here) and yazl (deploy's packaging, which loads the Lambda SDK anyway).
 * Not proper-lockfile: the audit log loads it on every mutating command, most of which need no
 * AWS SDK, and it is a few small files. In the ESM files, imports of these packages and
 * requireCjs() calls get vendor.cjs.
 */
const pjson = JSON.parse(fs.readFileSync('package.json', 'utf8'))
const VENDOR = [...Object.keys(pjson.dependencies).filter((n) => n.startsWith('@aws-sdk/')), 'yazl']

/** Build-time stand-ins for packages (scripts/bundle/<file>), each file says why. */
const STAND_INS = {debug: 'scripts/bundle/debug.cjs'}

/** One copy of these in the bundle, whatever version a plugin nests (plugin-not-found nests its own). */
const SINGLE_COPY = ['@inquirer/prompts']

/** Where cli.cjs publishes its @oclif/core for the ESM files (the key is also in oclifShim below). */
const CORE_KEY = 'impress-ops.oclif-core'

const common = {bundle: true, platform: "node", target: "node20", minify: process.env.IMPRESS_MINIFY !== "0", sourcemap: 'linked', legalComments: 'none', logLevel: 'warning', metafile: true}
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/@]/g, '\\$&')

const standIns = {
  name: 'stand-ins',
  setup(build) {
    build.onResolve({filter: new RegExp(`^(${Object.keys(STAND_INS).map(escape).join('|')})$`)}, (args) => ({path: path.join(root, STAND_INS[args.path])}))
  },
}

const singleCopy = {
  name: 'single-copy',
  setup(build) {
    build.onResolve({filter: new RegExp(`^(${SINGLE_COPY.map(escape).join('|')})$`)}, (args) => {
      if (args.pluginData === 'single-copy' || !args.resolveDir.includes('node_modules')) return undefined
      return build.resolve(args.path, {kind: args.kind, resolveDir: root, pluginData: 'single-copy'})
    })
  },
}

/**
 * cli.cjs runs from a V8 code cache (bin/run.js), and on Node 20 a dynamic import() in code
 * compiled from a cache fails (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING: the cache does not keep
 * the script's import callback). @oclif/core imports command files with import() (and lilconfig, under it, config files): those calls
 * go through the importer bin/run.js publishes (its own import(), same semantics for the
 * absolute file URLs oclif passes). Checked below: no other import() is left in cli.cjs.
 */
const IMPORTER = 'globalThis[Symbol.for("impress-ops.import")]'

/**
 * Node built-ins a vendored package requires at load but uses only on a path the CLI rarely
 * takes, made lazy by exact text edits (the build fails when a package update changes the
 * text, so an edit is never silently lost): @smithy/node-http-handler loads node:http2 for its
 * HTTP/2 handler, which only a few AWS operations use (none of ours); loading http2 costs every
 * AWS command ≈ 4 ms of CPU (docs/perf/startup.md).
 */
const LAZY_BUILTINS = {
  '@smithy/node-http-handler/dist-cjs/index.js': [
    ['const http2 = require("node:http2");', 'let http2Loaded; const http2 = {connect: (...a) => (http2Loaded ??= require("node:http2")).connect(...a), get constants() { return (http2Loaded ??= require("node:http2")).constants }};'],
    ['const { constants } = http2;', 'const constants = new Proxy({}, {get: (_, key) => http2.constants[key]});'],
  ],
}

const lazyApplied = new Set()
function lazyBuiltins(file, text) {
  const [suffix, edits = []] = Object.entries(LAZY_BUILTINS).find(([suffix]) => file.endsWith(path.join('node_modules', suffix))) ?? []
  if (suffix) lazyApplied.add(suffix)
  for (const [from, to] of edits) {
    if (text.split(from).length !== 2) throw new Error(`${file}: expected exactly one "${from}" (scripts/build.mjs LAZY_BUILTINS)`)
    text = text.replace(from, to)
  }
  return text
}

const routeImports = {
  name: 'route-imports',
  setup(build) {
    build.onLoad({filter: /[\\/]node_modules[\\/].*\.c?js$/}, async (args) => {
      const text = lazyBuiltins(args.path, await fs.promises.readFile(args.path, 'utf8'))
      return {contents: text.replace(/\bawait import\(/g, `await ${IMPORTER}(`), loader: 'js'}
    })
  },
}

/** The public entry points of @oclif/core ('.', './ux', …) and their export names. */
function oclifEntries() {
  const pjson = require('@oclif/core/package.json')
  return Object.keys(pjson.exports)
    .filter((sub) => !sub.endsWith('.json') && !sub.includes('*'))
    .map((sub) => {
      const spec = sub === '.' ? '@oclif/core' : `@oclif/core/${sub.slice(2)}`
      return {sub, spec, names: Object.keys(require(spec)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default')}
    })
}

/** In the ESM files, `@oclif/core[/sub]` is the copy cli.cjs published (loaded from cli.cjs when it was not, as in the sandbox process). */
function oclifShim(entries) {
  const bySpec = new Map(entries.map((e) => [e.spec, e]))
  return {
    name: 'oclif-shim',
    setup(build) {
      build.onResolve({filter: /^@oclif\/core(\/.*)?$/}, (args) => {
        if (!bySpec.has(args.path)) throw new Error(`${args.importer}: ${args.path} is not a public entry of @oclif/core`)
        return {path: args.path, namespace: 'oclif-shim'}
      })
      build.onLoad({filter: /.*/, namespace: 'oclif-shim'}, (args) => {
        const {sub, names} = bySpec.get(args.path)
        return {
          resolveDir: root,
          loader: 'js',
          contents: [
            `import {oclifCore} from ${JSON.stringify(path.join(root, 'scripts/bundle/oclif-core.mjs'))}`,
            `const m = oclifCore(${JSON.stringify(CORE_KEY)}, import.meta.url)[${JSON.stringify(sub)}]`,
            ...names.map((n) => `export const ${n} = m.${n}`),
            'export default m',
          ].join('\n'),
        }
      })
    },
  }
}

/** In the ESM files, a vendored package is vendor.cjs's copy (export names read from the package now). */
function vendorShim() {
  const names = new Map(VENDOR.map((n) => [n, Object.keys(require(n)).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default')]))
  return {
    name: 'vendor-shim',
    setup(build) {
      build.onResolve({filter: new RegExp(`^(${VENDOR.map(escape).join('|')})$`)}, (args) => ({path: args.path, namespace: 'vendor-shim'}))
      build.onLoad({filter: /.*/, namespace: 'vendor-shim'}, (args) => ({
        resolveDir: root,
        loader: 'js',
        contents: [
          `import {vendorPackage} from ${JSON.stringify(path.join(root, 'scripts/bundle/vendor.mjs'))}`,
          `const m = vendorPackage(${JSON.stringify(args.path)}, import.meta.url)`,
          ...names.get(args.path).map((n) => `export const ${n} = m.${n}`),
          'export default m',
        ].join('\n'),
      }))
      // src/lib/require-cjs.ts → scripts/bundle/require-cjs.mjs
      build.onResolve({filter: /(^|\/)require-cjs\.js$/}, (args) => (args.importer.startsWith(path.join(root, 'src')) ? {path: path.join(root, 'scripts/bundle/require-cjs.mjs')} : undefined))
    },
  }
}

function pluginEntries() {
  const entries = []
  for (const name of BUNDLED_PLUGINS) {
    const dir = path.join(root, 'node_modules', name)
    const pjson = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
    if (pjson.oclif?.commands) {
      const commandsDir = path.join(dir, pjson.oclif.commands)
      for (const file of walk(commandsDir)) entries.push({in: `plugin:${path.join(commandsDir, file)}`, out: path.join('commands', file.replace(/\.js$/, ''))})
    }
    for (const [event, target] of Object.entries(pjson.oclif?.hooks ?? {})) {
      if (event.startsWith('plugins:')) continue // plugin install hooks: this CLI installs no plugins
      entries.push({in: `plugin:${resolveFile(path.join(dir, String(target)))}`, out: path.join('hooks', event)})
    }
  }
  return entries
}

function walk(dir, rel = '') {
  return fs
    .readdirSync(path.join(dir, rel), {withFileTypes: true})
    .flatMap((d) => (d.isDirectory() ? walk(dir, path.join(rel, d.name)) : d.name.endsWith('.js') ? [path.join(rel, d.name)] : []))
}

function resolveFile(p) {
  for (const candidate of [p, `${p}.js`, path.join(p, 'index.js')]) if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate
  throw new Error(`cannot find ${p}`)
}

/** `plugin:<file>` entries: re-export the plugin file's default export (a command class or a hook). */
const pluginShim = {
  name: 'plugin-shim',
  setup(build) {
    build.onResolve({filter: /^plugin:/}, (args) => ({path: args.path.slice('plugin:'.length), namespace: 'plugin-shim'}))
    build.onLoad({filter: /.*/, namespace: 'plugin-shim'}, (args) => ({contents: `export {default} from ${JSON.stringify(args.path)}`, resolveDir: root, loader: 'js'}))
  },
}

fs.rmSync('dist', {recursive: true, force: true})

// 1. one to one
await esbuild.build({
  entryPoints: await glob('src/**/*.ts'),
  outdir: 'dist',
  outbase: 'src',
  bundle: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
})

// 2. cli.cjs: @oclif/core (every public entry, published for the ESM files) and the CLI's main
const core = oclifEntries()
const cli = await esbuild.build({
  ...common,
  stdin: {
    contents: [
      `const oclif = {}`,
      ...core.map((e) => `Object.defineProperty(oclif, ${JSON.stringify(e.sub)}, {enumerable: true, get: () => require(${JSON.stringify(e.spec)})})`),
      `globalThis[Symbol.for(${JSON.stringify(CORE_KEY)})] = oclif`,
      // Loaded by Node's own loader (the sandbox process, `oclif manifest`): no code cache, a plain import() works.
      `${IMPORTER} ??= (url) => import(url)`,
      `module.exports = {oclif, main: require('./src/cli.ts').main}`,
    ].join('\n'),
    resolveDir: root,
    sourcefile: 'cli-entry.cjs',
    loader: 'js',
  },
  outfile: `${BUNDLE}/cli.cjs`,
  format: 'cjs',
  external: EXTERNAL,
  plugins: [standIns, routeImports],
})
const vendor = await esbuild.build({
  ...common,
  stdin: {
    contents: `module.exports = {${VENDOR.map((n) => `get ${JSON.stringify(n)}() { return require(${JSON.stringify(n)}) }`).join(',\n')}}`,
    resolveDir: root,
    sourcefile: 'vendor-entry.cjs',
    loader: 'js',
  },
  outfile: `${BUNDLE}/vendor.cjs`,
  format: 'cjs',
  external: EXTERNAL,
  plugins: [routeImports],
})
for (const suffix of Object.keys(LAZY_BUILTINS)) if (!lazyApplied.has(suffix)) throw new Error(`LAZY_BUILTINS: ${suffix} is no longer in the bundle`)
for (const file of ['cli.cjs', 'vendor.cjs']) {
  const left = fs.readFileSync(`${BUNDLE}/${file}`, 'utf8').match(/\bimport\((?!\))/g) ?? []
  if (left.length !== (file === 'cli.cjs' ? 1 : 0)) throw new Error(`${BUNDLE}/${file} has ${left.length} import() calls not routed through the importer (see routeImports)`)
}

// 3. everything else, split
const split = await esbuild.build({
  ...common,
  entryPoints: [...(await glob(['src/commands/**/*.ts', 'src/hooks/**/*.ts'])).sort(), ...RUN_BY_PATH, ...pluginEntries(), {in: 'scripts/bundle/code-cache.mjs', out: 'code-cache'}],
  outdir: BUNDLE,
  outbase: 'src',
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  format: 'esm',
  external: EXTERNAL,
  plugins: [pluginShim, oclifShim(core), vendorShim(), standIns, singleCopy],
  define: {VENDORED: JSON.stringify(VENDOR)},
  // Bundled CommonJS modules call require() (Node built-ins, optional packages).
  banner: {js: "import{createRequire as __impressRequire}from'node:module';const require=__impressRequire(import.meta.url);"},
})

const outputs = {...cli.metafile.outputs, ...vendor.metafile.outputs, ...split.metafile.outputs}
fs.writeFileSync(`${BUNDLE}/meta.json`, JSON.stringify({inputs: {...cli.metafile.inputs, ...vendor.metafile.inputs, ...split.metafile.inputs}, outputs}))
const h = createHash('sha256')
for (const out of Object.keys(outputs).sort()) h.update(out).update(fs.readFileSync(out))
fs.writeFileSync(`${BUNDLE}/build-id`, h.digest('hex').slice(0, 32) + '\n')

execFileSync(process.execPath, ['node_modules/oclif/bin/run.js', 'manifest'], {stdio: 'inherit'})
// Warm-up: bin/run.js writes the code cache of cli.cjs when there is none (see bin/run.js).
execFileSync(process.execPath, ['bin/run.js', '--help'], {stdio: 'ignore', env: {...process.env, IMPRESS_CODE_CACHE: 'write'}})
