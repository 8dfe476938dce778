/** docs/sandbox-coverage.md is generated from the catalogs, and the catalogs match the handlers. */
import fs from 'node:fs'
import {describe, expect, it} from 'vitest'
import {catalogedServices, renderCoverage} from '../../src/lib/sandbox/coverage.js'

describe('sandbox coverage table', () => {
  it('docs/sandbox-coverage.md is current (regenerate: npm run build && npm run coverage:sandbox)', async () => {
    const onDisk = fs.readFileSync(new URL('../../docs/sandbox-coverage.md', import.meta.url), 'utf8')
    expect(onDisk, 'docs/sandbox-coverage.md is stale: run `npm run build && npm run coverage:sandbox`').toBe(renderCoverage(await catalogedServices()))
  })

  it('every service has a catalog, and each table-driven service answers exactly the operations its catalog lists', async () => {
    const services = await catalogedServices()
    expect(services.filter((s) => !s.catalog).map((s) => s.name)).toEqual([])
    const checked: string[] = []
    for (const s of services) {
      const modelled = Object.keys(s.catalog!.operations)
      // an operation both modelled and listed as refused would make the table lie
      expect(modelled.filter((op) => s.catalog!.refused?.includes(op)), s.name).toEqual([])
      if (!s.handlerNames) continue
      checked.push(s.name)
      expect([...s.handlerNames()].sort(), `${s.name}: handlers vs catalog (add the operation to the service's catalog)`).toEqual([...modelled].sort())
    }
    expect(checked.sort()).toEqual(['cloudwatch', 'github', 'iam', 'lambda', 'logs', 'rds', 'secretsmanager', 'sns', 'sts', 'vercel'])
  })
})
