/**
 * An unknown command is bad usage (exit 2): one error line naming it, and a hint with the
 * closest command or topic ("Did you mean …?") whether or not a terminal is attached
 * (@oclif/plugin-not-found only suggested at an interactive prompt and exited 127).
 */
import {type Hook, toConfiguredId} from '@oclif/core'
import {didYouMean} from '../lib/cli/suggest.js'
import {ExitCode} from '../lib/errors.js'
import {Io} from '../lib/ui/output.js'

const hook: Hook<'command_not_found'> = async function (opts) {
  const {config, id} = opts
  const visible = config.commands.filter((c) => !c.hidden)
  const names = [...visible.map((c) => c.id), ...visible.flatMap((c) => c.aliases), ...config.topics.filter((t) => !t.hidden).map((t) => t.name)]
  const typed = toConfiguredId(id, config)
  const suggestion = didYouMean(id, names, (name) => `\`${config.bin} ${toConfiguredId(name, config)}\``)
  const topic = config.findTopic(id.split(':')[0]) ? ` ${id.split(':')[0]}` : ''
  const message = `"${typed}" is not an ${config.bin} command.`
  const hint = `${suggestion ? `${suggestion.trim()} ` : ''}Run \`${config.bin} help${topic}\` for the list of commands.`
  const argv = opts.argv ?? []
  const io = new Io({json: argv.includes('--json')})
  if (io.json) io.writeJson({error: {code: 'E_USAGE', message, hint, exitCode: ExitCode.Usage}})
  io.error(message, hint)
  this.exit(ExitCode.Usage)
}

export default hook
