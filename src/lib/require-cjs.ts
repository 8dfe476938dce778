/**
 * require() for CommonJS packages. `import` of a CommonJS module from ESM makes Node scan its
 * source for named exports first (cjs-module-lexer); require() skips that. On the hot paths of
 * every command (the audit lock, deploy's zip, the AWS SDK) that scan cost tens of milliseconds
 * of CPU per package (measured on Node 20). Type with `as typeof import('pkg')`.
 */
import {createRequire} from 'node:module'

export const requireCjs = createRequire(import.meta.url)
