// Build: compile TypeScript, generate oclif.manifest.json (fast startup). The JSON Schema is committed: `npm run schema` refreshes it.
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'

const run = (cmd, args) => execFileSync(cmd, args, {stdio: 'inherit'})
fs.rmSync('dist', {recursive: true, force: true})
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'])
run(process.execPath, ['node_modules/oclif/bin/run.js', 'manifest'])
