// Writes schema/impress.config.schema.json from the zod schema (run after tsc).
import fs from 'node:fs'
import {configJsonSchema} from '../dist/lib/config/schema.js'

const out = new URL('../schema/impress.config.schema.json', import.meta.url)
fs.mkdirSync(new URL('../schema/', import.meta.url), {recursive: true})
fs.writeFileSync(out, JSON.stringify(configJsonSchema(), null, 2) + '\n')
// team.yaml (the compliance roster)
const {rosterJsonSchema} = await import('../dist/lib/compliance/roster.js')
fs.writeFileSync(new URL('../schema/team.schema.json', import.meta.url), JSON.stringify(rosterJsonSchema(), null, 2) + '\n')

// roles.yaml (impress roles …)
const {rolesJsonSchema} = await import('../dist/lib/roles/schema.js')
fs.writeFileSync(new URL('../schema/roles.schema.json', import.meta.url), JSON.stringify(rolesJsonSchema(), null, 2) + '\n')
