// Stands in for the `debug` package inside the bundle (@oclif/core's logger creates debug
// functions at load time): with DEBUG unset they are no-ops and the real package (with tty and
// supports-color) is never loaded; with DEBUG set, every call goes to the real one.
'use strict'
let real
const load = () => (real ??= require('debug/src/index.js'))

function createDebug(namespace) {
  if (process.env.DEBUG) return load()(namespace)
  const debug = () => {}
  debug.namespace = namespace
  debug.enabled = false
  debug.log = () => {}
  debug.extend = (sub, delimiter = ':') => createDebug(`${namespace}${delimiter}${sub}`)
  debug.destroy = () => true
  return debug
}
createDebug.enable = (namespaces) => load().enable(namespaces)
createDebug.disable = () => (real ? real.disable() : '')
createDebug.enabled = (name) => (process.env.DEBUG ? load().enabled(name) : false)

module.exports = createDebug
module.exports.default = createDebug
