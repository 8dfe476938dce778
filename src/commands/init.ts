import fs from 'node:fs'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {ImpressCommand} from '../lib/cli/base-command.js'
import {parseConfig} from '../lib/config/load.js'
import {defaultAnswers, schemaReference, starterConfig, writeStarterSandboxFiles, type StarterAnswers} from '../lib/config/starter.js'
import {RefusedError} from '../lib/errors.js'

export default class Init extends ImpressCommand<typeof Init> {
  static override summary = 'Write a starter impress.config.yaml (asks a few questions; --yes takes the defaults) and its sandbox files under ./sandbox/.'
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init --yes', '<%= config.bin %> init --path ops/impress.config.yaml --force']
  static override flags = {
    path: Flags.string({description: 'Where to write the file.', default: 'impress.config.yaml'}),
    force: Flags.boolean({description: 'Overwrite an existing file.'}),
    yes: Flags.boolean({char: 'y', description: 'Write the defaults without asking.'}),
  }

  async run(): Promise<{path: string; environments: string[]}> {
    const file = path.resolve(this.flags.path)
    if (fs.existsSync(file) && !this.flags.force) {
      throw new RefusedError(`${file} already exists.`, {code: 'E_EXISTS', hint: 'Pass --force to overwrite it, or --path to write elsewhere.'})
    }
    let answers = defaultAnswers()
    if (!this.flags.yes) {
      if (!this.io.interactive) {
        throw new RefusedError('impress init needs answers and there is no terminal to ask on.', {code: 'E_NEEDS_YES', hint: 'Re-run with --yes to write the defaults.'})
      }
      answers = await this.ask(answers)
    }
    const text = starterConfig(answers, schemaReference(path.dirname(file)))
    parseConfig(text, file) // never write a file the loader would reject
    fs.mkdirSync(path.dirname(file), {recursive: true})
    fs.writeFileSync(file, text)
    const extra = writeStarterSandboxFiles(path.dirname(file))
    this.io.out(`Wrote ${file} with environments sandbox and ${answers.envName}${extra.length > 0 ? ` (and ${extra.length} sandbox files under ${path.join(path.dirname(file), 'sandbox')})` : ''}.`)
    // Commands that run as written (flags after the command: oclif takes the first word as the command).
    const config = this.flags.path === 'impress.config.yaml' ? '' : ` --config ${this.flags.path}`
    this.io.out(`Next: impress deploy --all --yes --env sandbox${config}   (then impress status --env ${answers.envName}${config} when your credentials are set)`)
    return {path: file, environments: ['sandbox', answers.envName]}
  }

  private async ask(d: StarterAnswers): Promise<StarterAnswers> {
    const {input} = await import('@inquirer/prompts')
    const opts = {output: process.stderr}
    const name = (message: string, def: string, re = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/) =>
      input({message, default: def, validate: (v) => re.test(v) || 'letters, digits, ".", "_" or "-"'}, opts)
    const envName = await name('Name of your production environment', d.envName)
    const region = await name('AWS region', d.region, /^[a-z]{2}(-[a-z]+)+-\d$/)
    const profile = await name('AWS profile', `impress-${envName}`)
    const auroraCluster = await name('Aurora cluster identifier', `impress-${envName}`)
    const firebaseProject = await name('Firebase project id', `impress-${envName}`)
    const auth0Domain = await name('Auth0 tenant domain', d.auth0Domain, /^[a-z0-9.-]+$/)
    return {envName, region, profile, auroraCluster, firebaseProject, auth0Domain}
  }
}
