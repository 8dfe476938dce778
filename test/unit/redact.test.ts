import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {REDACTED, Redactor, redactArgv} from '../../src/lib/redact.js'

describe('Redactor', () => {
  it('masks known secret values anywhere in text and values', () => {
    const r = new Redactor()
    r.add('hunter2-very-secret')
    expect(r.redactText('the password is hunter2-very-secret!')).toBe(`the password is ${REDACTED}!`)
    expect(r.redactValue({nested: ['x hunter2-very-secret y'], ok: 1})).toEqual({nested: [`x ${REDACTED} y`], ok: 1})
  })

  it('masks values under secret-looking keys, keeps env: references', () => {
    const r = new Redactor()
    expect(r.redactValue({clientSecret: 'abc', apiToken: 42, clientId: 'id', password: 'env:PW'})).toEqual({clientSecret: REDACTED, apiToken: REDACTED, clientId: 'id', password: 'env:PW'})
  })

  it('property: a registered secret never survives redaction', () => {
    fc.assert(
      fc.property(fc.string({minLength: 6, maxLength: 40}), fc.string(), fc.string(), (secret, before, after) => {
        const r = new Redactor()
        r.add(secret)
        expect(r.redactText(before + secret + after).includes(secret)).toBe(false)
      }),
    )
  })

  it('redacts secret flags in argv', () => {
    const r = new Redactor()
    r.add('known-secret-value')
    expect(redactArgv(['deploy', '--client-secret', 'abc', '--token=xyz', '--note', 'known-secret-value', '--env', 'prod'], r)).toEqual([
      'deploy',
      '--client-secret',
      REDACTED,
      `--token=${REDACTED}`,
      '--note',
      REDACTED,
      '--env',
      'prod',
    ])
  })
})
