import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {ExitCode} from '../../lib/errors.js'
import {parseDuration, timeRange} from '../../lib/logs/range.js'
import {eventJson, eventLine, renderPatterns} from '../../lib/logs/render.js'
import {runLogs, runPatterns, type LogsSummary, type PatternsResult} from '../../lib/logs/run.js'
import {chosenModules, insightsPort, logsPort} from '../../lib/monitor/deps.js'
import {renderInsights, runInsights, type InsightsResult} from '../../lib/logs/insights.js'

export default class Logs extends ImpressCommand<typeof Logs> {
  static override summary = "The modules' CloudWatch logs, interleaved in time order."
  static override description =
    'Reads /aws/lambda/<function> of each chosen module (all by default) with FilterLogEvents, merges them by time as they stream (memory stays flat), prefixes each line with its module. --filter takes the CloudWatch Logs filter pattern syntax; --follow tails until Ctrl-C; --patterns groups lines into patterns and marks the new or much more frequent ones against a baseline window.'
  static override examples = [
    '<%= config.bin %> logs                                   # every module, last hour',
    '<%= config.bin %> logs pdf request --since 24h --filter \'?ERROR ?"Task timed out"\'',
    '<%= config.bin %> logs --filter \'{ $.level = "ERROR" }\' --json | jq .message',
    '<%= config.bin %> logs --follow',
    '<%= config.bin %> logs --patterns --since 24h --baseline 7d',
    '<%= config.bin %> logs --since 24h --query \'filter @message like /ERROR/ | stats count(*) by bin(1h)\'',
  ]
  static override strict = false
  static handlesInterrupt = true
  static override flags = {
    since: Flags.string({description: 'Start: a duration back from now (1h, 30m, 7d) or a time (ISO 8601, "2h ago"). Default 1h (24h with --patterns).'}),
    until: Flags.string({description: 'End: a time (default now).'}),
    filter: Flags.string({description: 'CloudWatch Logs filter pattern (terms, "phrases", -exclusions, ?alternatives, { $.field = value }).'}),
    follow: Flags.boolean({char: 'f', description: 'Keep printing new events until Ctrl-C.', exclusive: ['patterns', 'until']}),
    limit: Flags.integer({description: 'Stop after N events.', min: 1}),
    patterns: Flags.boolean({description: 'Group the lines into patterns; mark new and much more frequent ones.'}),
    query: Flags.string({description: "A Logs Insights query over the modules' log groups (fields, filter, stats, sort, limit), run to the end.", exclusive: ['follow', 'patterns', 'filter']}),
    baseline: Flags.string({description: 'With --patterns: the window before --since to compare with.', default: '7d'}),
  }

  async run(): Promise<LogsSummary | PatternsResult | InsightsResult | undefined> {
    const {argv} = await this.parse(Logs)
    const modules = chosenModules(this.ctx, argv as string[])
    const {start, end} = timeRange({since: this.flags.since, until: this.flags.until, defaultSince: this.flags.patterns ? '24h' : '1h'})
    if (this.flags.query) {
      const result = await runInsights({modules, start, end, query: this.flags.query, limit: this.flags.limit, signal: this.signal}, await insightsPort(this.ctx))
      this.io.out(renderInsights(result, this.io.color))
      return result
    }
    const port = await logsPort(this.ctx)
    const onMissing = (m: {module: string; group: string}) => this.io.warn(`${m.module}: log group ${m.group} does not exist yet (no invocation so far).`)
    if (this.flags.patterns) {
      const result = await runPatterns({modules, start, end, baselineMs: parseDuration(this.flags.baseline, '--baseline'), pattern: this.flags.filter, signal: this.signal, onMissing}, port)
      this.io.out(renderPatterns(result, this.io.color))
      return result
    }
    const width = Math.max(...modules.map((m) => m.module.length))
    const index = new Map(modules.map((m, i) => [m.module, i]))
    const json = this.jsonEnabled()
    const summary = await runLogs(
      {modules, start, end, pattern: this.flags.filter, limit: this.flags.limit, signal: this.signal, onMissing, ...(this.flags.follow ? {follow: {intervalMs: 1000, overlapMs: 30_000}} : {})},
      port,
      json ? eventJson : (e) => eventLine(e, width, this.io.color, index.get(e.module) ?? 0),
      (lines) => this.io.line(lines),
    )
    if (this.signal.aborted) {
      // Exit 130 without an error document: stdout stays pure JSON lines / log lines, each complete.
      process.exitCode = ExitCode.Interrupted
      this.io.info(`Stopped after ${summary.events} event(s); every line printed is complete.`)
      return undefined
    }
    this.io.debug(`${summary.events} event(s); FilterLogEvents: ${port.stats.requests} request(s), ${port.stats.throttled} throttled and retried.`)
    return undefined
  }

  // --json prints JSON lines as the events stream; there is no closing document.
  override logJson(json: unknown): void {
    if (json !== undefined) super.logJson(json)
  }
}
