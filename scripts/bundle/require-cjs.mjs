// Stands for src/lib/require-cjs.ts in the bundle: a vendored package (vendor.mjs) comes from
// dist/bundle/vendor.cjs, any other from node_modules as in the sources. VENDORED is filled in by
// scripts/build.mjs (the package names vendor.cjs holds).
/* global VENDORED */
import {createRequire} from 'node:module'
import {vendorPackage} from './vendor.mjs'

const plain = createRequire(import.meta.url)
const vendored = new Set(VENDORED)

export function requireCjs(id) {
  return vendored.has(id) ? vendorPackage(id, import.meta.url) : plain(id)
}
requireCjs.resolve = plain.resolve
