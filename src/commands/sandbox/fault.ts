import {Flags} from '@oclif/core'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {UsageError} from '../../lib/errors.js'
import {sandboxControl} from '../../lib/sandbox/client.js'
import type {FaultRule} from '../../lib/sandbox/faults.js'
import {requireRunning} from '../../lib/sandbox/running.js'
import {chooseStateDir} from '../../lib/sandbox/state-dir.js'
import {renderTable} from '../../lib/ui/table.js'

export default class SandboxFault extends ImpressCommand<typeof SandboxFault> {
  static override summary = 'Inject a fault (latency, 5xx, throttling, dropped connection before or after the effect) into a sandbox service.'
  static override examples = [
    '<%= config.bin %> sandbox fault --service lambda --operation UpdateFunctionCode --kind throttle --times 3',
    '<%= config.bin %> sandbox fault --service rds --kind error --status 503 --probability 0.2',
    '<%= config.bin %> sandbox fault --service sts --kind latency --ms 2000',
    '<%= config.bin %> sandbox fault --service lambda --operation PublishVersion --kind drop-after --times 1',
    '<%= config.bin %> sandbox fault --list',
    '<%= config.bin %> sandbox fault --clear',
  ]
  static override flags = {
    service: Flags.string({description: 'Service name (sts, secretsmanager, lambda, rds, …) or * for all.'}),
    operation: Flags.string({description: 'Operation name (e.g. GetCallerIdentity); all operations when omitted.'}),
    kind: Flags.string({options: ['latency', 'error', 'throttle', 'drop', 'drop-after'], description: 'What to inject (drop-after: the call takes effect, then its answer is lost).'}),
    ms: Flags.integer({description: 'latency: delay in milliseconds.', min: 0}),
    status: Flags.integer({description: 'error: HTTP status (default 500).', min: 400, max: 599}),
    'retry-after': Flags.integer({description: 'throttle: Retry-After seconds (default 1).', min: 0}),
    times: Flags.integer({description: 'Fire this many times, then expire.', min: 1}),
    after: Flags.integer({description: 'Let this many matching requests through first (fault exactly the next one).', min: 0}),
    probability: Flags.string({description: 'Chance (0..1) that a matching request is hit.'}),
    list: Flags.boolean({description: 'List active faults.', exclusive: ['kind', 'clear']}),
    clear: Flags.boolean({description: 'Remove faults (of --service, or all).', exclusive: ['kind', 'list']}),
    state: Flags.string({description: 'State directory of the sandbox.'}),
  }

  async run(): Promise<{faults: FaultRule[]} | {fault: FaultRule} | {removed: number}> {
    const {url} = await requireRunning(chooseStateDir(this.flags.state, () => this.environment.sandboxStateDir))
    if (this.flags.list) {
      const out = await sandboxControl.listFaults(url)
      this.io.out(out.faults.length === 0 ? 'No faults injected.' : renderTable(['id', 'service', 'operation', 'kind', 'hits', 'left'], out.faults.map((f) => [f.id, f.service, f.operation ?? '*', describe(f), f.hits, f.times === undefined ? '∞' : f.times - f.hits])))
      return out
    }
    if (this.flags.clear) {
      const out = await sandboxControl.clearFaults(url, this.flags.service)
      this.io.out(`Removed ${out.removed} fault(s).`)
      return out
    }
    if (!this.flags.service || !this.flags.kind) {
      throw new UsageError('A fault needs --service and --kind.', {hint: 'For example: impress sandbox fault --service sts --kind throttle --times 2'})
    }
    const probability = this.flags.probability === undefined ? undefined : Number(this.flags.probability)
    if (probability !== undefined && !(probability >= 0 && probability <= 1)) {
      throw new UsageError(`--probability expects a number from 0 to 1, got "${this.flags.probability}".`, {hint: 'For example --probability 0.25'})
    }
    const out = await sandboxControl.addFault(url, {
      service: this.flags.service,
      operation: this.flags.operation,
      kind: this.flags.kind as FaultRule['kind'],
      ms: this.flags.ms,
      status: this.flags.status,
      retryAfter: this.flags['retry-after'],
      times: this.flags.times,
      after: this.flags.after,
      probability,
    })
    this.io.out(`Fault ${out.fault.id}: ${describe(out.fault)} on ${out.fault.service}${out.fault.operation ? ` ${out.fault.operation}` : ''}${out.fault.times ? `, ${out.fault.times} time(s)` : ''}`)
    return out
  }
}

function describe(f: FaultRule): string {
  switch (f.kind) {
    case 'latency':
      return `latency ${f.ms ?? 1000}ms`
    case 'error':
      return `error ${f.status ?? 500}`
    case 'throttle':
      return `throttle (retry after ${f.retryAfter ?? 1}s)`
    default:
      return 'drop connection'
  }
}
