import fs from 'node:fs'
import {describe, expect, it} from 'vitest'
import {configJsonSchema} from '../../../src/lib/config/schema.js'

describe('published JSON Schema', () => {
  it('schema/impress.config.schema.json matches the zod schema (run `npm run build && npm run schema` when this fails)', () => {
    const committed = JSON.parse(fs.readFileSync(new URL('../../../schema/impress.config.schema.json', import.meta.url), 'utf8'))
    expect(committed).toEqual(configJsonSchema())
  })

  it('is shipped in the package', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'))
    expect(pkg.files).toContain('schema')
  })
})
