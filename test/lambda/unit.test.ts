// Pure logic of the Lambda area: weights, prune plans, rollback targets, packaging, pacing.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {parseWeight, summarize} from '../../src/lib/lambda/deploy.js'
import {codeSha256, listFiles, packageArtifact} from '../../src/lib/lambda/package.js'
import {planPrune} from '../../src/lib/lambda/prune.js'
import {chooseTarget, nearestVersions} from '../../src/lib/lambda/rollback.js'
import {Pacer} from '../../src/lib/platform/aws/lambda-pacer.js'
import {readZip, writeZip} from '../../src/lib/sandbox/services/lambda/zip.js'
import type {FunctionVersionInfo} from '../../src/lib/lambda/ports.js'

const ver = (n: number): FunctionVersionInfo => ({function: 'f', version: String(n), codeSha256: `sha${n}`, codeSize: 100, description: `v${n}`, lastModified: '', revisionId: ''})

describe('parseWeight', () => {
  it('accepts percentages and fractions strictly between 0 and 1', () => {
    expect(parseWeight('10%')).toBe(0.1)
    expect(parseWeight('12.5%')).toBe(0.125)
    expect(parseWeight('0.25')).toBe(0.25)
    expect(parseWeight('10')).toBe(0.1)
    for (const bad of ['0%', '100%', '150%', 'ten', '-5%', '']) expect(parseWeight(bad)).toBeUndefined()
  })
})

describe('planPrune', () => {
  it('never deletes a version an alias routes to, keeps the newest N, deletes the rest', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({min: 1, max: 60}), {minLength: 0, maxLength: 30}),
        fc.array(fc.tuple(fc.integer({min: 0, max: 29}), fc.option(fc.integer({min: 0, max: 29}), {nil: undefined})), {maxLength: 3}),
        fc.integer({min: 0, max: 10}),
        (nums, aliasPicks, keep) => {
          const versions = nums.map((n) => ({version: String(n), codeSize: 1}))
          const aliases = nums.length === 0 ? [] : aliasPicks.map(([p, w], i) => ({name: `a${i}`, functionVersion: String(nums[p % nums.length]), ...(w === undefined ? {} : {weights: {[String(nums[w % nums.length])]: 0.1}})}))
          const plan = planPrune(versions, aliases, keep)
          const referenced = new Set(aliases.flatMap((a) => [a.functionVersion, ...Object.keys(a.weights ?? {})]))
          const newest = [...nums].sort((a, b) => b - a).slice(0, keep).map(String)
          for (const c of plan.candidates) {
            expect(referenced.has(c.version)).toBe(false)
            expect(newest).not.toContain(c.version)
          }
          const expected = nums.filter((n) => !referenced.has(String(n)) && !newest.includes(String(n)))
          expect(plan.candidates.map((c) => Number(c.version)).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b))
        },
      ),
    )
  })
})

describe('rollback target', () => {
  it('goes to the newest version below the alias, to the primary when a canary routes, or to --to', () => {
    const vs = [1, 2, 4, 7].map(ver)
    expect(chooseTarget(vs, {name: 'live', functionVersion: '7', revisionId: ''})?.version).toBe('4')
    expect(chooseTarget(vs, {name: 'live', functionVersion: '4', weights: {'7': 0.1}, revisionId: ''})?.version).toBe('4')
    expect(chooseTarget(vs, {name: 'live', functionVersion: '7', revisionId: ''}, '2')?.version).toBe('2')
    expect(chooseTarget(vs, {name: 'live', functionVersion: '7', revisionId: ''}, '3')).toBeUndefined()
    expect(chooseTarget(vs, {name: 'live', functionVersion: '1', revisionId: ''})).toBeUndefined()
  })
  it('names the nearest published versions', () => {
    expect(nearestVersions(['1', '2', '4', '7', '12'], '9')).toEqual(['4', '7', '12'])
    expect(nearestVersions(['1', '2'], '40')).toEqual(['1', '2'])
    expect(nearestVersions([], '3')).toEqual([])
  })
})

describe('summarize', () => {
  it('counts each status', () => {
    const base = {module: 'm', function: 'f', aliasMoved: false, durationMs: 0}
    expect(summarize([{...base, status: 'deployed'}, {...base, status: 'failed'}, {...base, status: 'deployed'}])).toMatchObject({deployed: 2, failed: 1, unchanged: 0})
  })
})

describe('packageArtifact', () => {
  it('gives the same bytes for the same files whatever their mtimes or creation order, and different bytes for different content', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'impress-pkg-'))
    try {
      const make = (dir: string, files: [string, string][]) => {
        for (const [f, text] of files) {
          fs.mkdirSync(path.dirname(path.join(root, dir, f)), {recursive: true})
          fs.writeFileSync(path.join(root, dir, f), text)
        }
      }
      make('a', [['index.js', 'x'], ['lib/util.js', 'y'], ['B.txt', 'z']])
      make('b', [['B.txt', 'z'], ['lib/util.js', 'y'], ['index.js', 'x']])
      fs.utimesSync(path.join(root, 'b', 'index.js'), new Date(2001, 1, 1), new Date(2001, 1, 1))
      make('c', [['index.js', 'x!'], ['lib/util.js', 'y'], ['B.txt', 'z']])
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((d) => packageArtifact(path.join(root, d))))
      expect(a.zip.equals(b.zip)).toBe(true)
      expect(a.sha256).toBe(codeSha256(a.zip))
      expect(c.sha256).not.toBe(a.sha256)
      expect(listFiles(path.join(root, 'a'))).toEqual(['B.txt', 'index.js', 'lib/util.js'])
      // the sandbox's reader unpacks what the packager writes
      expect(readZip(a.zip).map((e) => [e.name, e.data.toString()])).toEqual([
        ['B.txt', 'z'],
        ['index.js', 'x'],
        ['lib/util.js', 'y'],
      ])
      fs.writeFileSync(path.join(root, 'built.zip'), writeZip([{name: 'index.js', data: Buffer.from('q')}]))
      const zipped = await packageArtifact(path.join(root, 'built.zip'))
      expect(zipped.zip.equals(fs.readFileSync(path.join(root, 'built.zip')))).toBe(true)
      await expect(packageArtifact(path.join(root, 'missing'))).rejects.toMatchObject({exitCode: 2})
    } finally {
      fs.rmSync(root, {recursive: true, force: true})
    }
  })
})

describe('Pacer', () => {
  it('keeps each API under its budget (burst = budget, then the rate) and does not pace Invoke', async () => {
    let now = 0
    const sleeps: number[] = []
    const pacer = new Pacer(
      10,
      () => now,
      async (ms) => {
        sleeps.push(ms)
        now += ms
      },
    )
    const times: number[] = []
    for (let i = 0; i < 30; i++) {
      await pacer.take('UpdateAlias')
      times.push(now)
    }
    // token bucket: a burst of `budget` calls, then one per 1/budget s: call k never before (k - 9) × 100 ms
    expect(times.slice(0, 10)).toEqual(Array(10).fill(0))
    for (let k = 10; k < 30; k++) expect(times[k]).toBeGreaterThanOrEqual((k - 9) * 100)
    expect(times[29]).toBeLessThanOrEqual(2100)
    const before = now
    for (let i = 0; i < 50; i++) await pacer.take('Invoke')
    expect(now).toBe(before)
    // another API has its own bucket
    await pacer.take('PublishVersion')
    expect(now).toBe(before)
  })
})

describe('zipFileBody', () => {
  it('streams exactly the JSON the SDK would send, with its length and SHA-256, again on every call', async () => {
    const {zipFileBody} = await import('../../src/lib/platform/aws/lambda.js')
    const {createHash} = await import('node:crypto')
    for (const size of [0, 1, 2, 3, 49_151, 49_152, 49_153, 200_000]) {
      const zip = Buffer.from(Array.from({length: size}, (_, i) => (i * 7 + 3) % 256))
      const body = zipFileBody(zip)
      const expected = Buffer.from(JSON.stringify({ZipFile: zip.toString('base64')}))
      for (let attempt = 0; attempt < 2; attempt++) {
        const chunks: Buffer[] = []
        for await (const c of body.stream()) chunks.push(c as Buffer)
        expect(Buffer.concat(chunks).equals(expected)).toBe(true)
      }
      expect(body.length).toBe(expected.length)
      expect(body.sha256Hex).toBe(createHash('sha256').update(expected).digest('hex'))
    }
  })
})
