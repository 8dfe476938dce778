// Stands for src/lib/require-cjs.ts in the bundle: a vendored package (vendor.mjs) comes from
// dist/bundle/vendor.cjs; proper-lockfile is bundled into the calling chunk (esbuild bundles a
// require() of a literal name): from node_modules its 12 small files through the CommonJS
// loader cost every mutating command ≈ 6 ms of CPU more (the audit log's lock); any other
// package comes from node_modules as in the sources. VENDORED is filled in by scripts/build.mjs
// (the package names vendor.cjs holds).
/* global VENDORED */
import {createRequire} from 'node:module'
import {vendorPackage} from './vendor.mjs'

const plain = createRequire(import.meta.url)
const vendored = new Set(VENDORED)
// eslint-disable-next-line @typescript-eslint/no-require-imports, no-undef -- bundled by esbuild (a require() of a literal); the chunk's banner defines require
const bundled = {'proper-lockfile': () => require('proper-lockfile')}

export function requireCjs(id) {
  if (vendored.has(id)) return vendorPackage(id, import.meta.url)
  return Object.hasOwn(bundled, id) ? bundled[id]() : plain(id)
}
requireCjs.resolve = plain.resolve
