import fs from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {parseConfig} from '../../src/lib/config/load.js'
import {BIN, tempHome} from '../helpers/cli.js'
import {TmuxSession} from '../helpers/tmux.js'

describe('impress init in a real terminal', () => {
  let session: TmuxSession | undefined
  afterEach(() => session?.kill())

  it('asks its questions and writes the answers', async () => {
    expect(TmuxSession.available(), 'tmux is required (the CI script installs it)').toBe(true)
    const t = tempHome()
    session = new TmuxSession('init')
    const log = path.join(t.cwd, 'exit-code')
    session.start(`env -u CI NO_COLOR=1 IMPRESS_HOME=${t.home} ${process.execPath} ${BIN} init; echo $? > ${log}; sleep 60`, t.cwd)

    await session.waitFor(/Name of your production environment/)
    session.send('C-u')
    session.answer('staging')
    await session.waitFor(/AWS region/)
    session.answer('') // keep the default
    await session.waitFor(/AWS profile/)
    session.answer('')
    await session.waitFor(/Aurora cluster identifier/)
    session.send('C-u')
    session.answer('impress-stg-db')
    await session.waitFor(/Firebase project id/)
    session.answer('')
    await session.waitFor(/Auth0 tenant domain/)
    session.answer('')
    const screen = await session.waitFor(/Wrote .*impress\.config\.yaml/)
    expect(screen).toContain('environments sandbox and staging')

    const deadline = Date.now() + 5000
    while (!fs.existsSync(log) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(fs.readFileSync(log, 'utf8').trim()).toBe('0')
    const config = parseConfig(fs.readFileSync(path.join(t.cwd, 'impress.config.yaml'), 'utf8'), 'impress.config.yaml')
    expect(config.environments.staging.aws).toEqual({region: 'eu-west-1', profile: 'impress-staging'})
    expect(config.environments.staging.aurora?.cluster).toBe('impress-stg-db')
    t.cleanup()
  })
})
