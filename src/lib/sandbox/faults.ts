/**
 * Fault injection rules, switched per service and operation through the control endpoint
 * (POST /_sandbox/faults) or `impress sandbox fault`.
 */
import {randomUUID} from 'node:crypto'
import {z} from 'zod'

export const faultRuleInput = z
  .object({
    service: z.string().min(1).describe('service name, or * for every service'),
    operation: z.string().min(1).optional().describe('operation name; every operation when absent'),
    kind: z
      .enum(['latency', 'error', 'throttle', 'drop', 'drop-after'])
      .describe('drop: the connection is destroyed before the handler runs (no effect); drop-after: the handler runs (the effect happens), then the connection is destroyed before any answer'),
    /** latency: added delay in real milliseconds */
    ms: z.number().int().nonnegative().max(600_000).optional(),
    /** error: HTTP status (500, 502, 503…) */
    status: z.number().int().min(400).max(599).optional(),
    /** throttle: Retry-After in seconds */
    retryAfter: z.number().nonnegative().max(3600).optional(),
    /** apply this many times, then the rule expires (default: until removed) */
    times: z.number().int().positive().optional(),
    /** let this many matching requests through first (a fault at exactly the N+1th call) */
    after: z.number().int().nonnegative().optional(),
    /** probability 0..1 that a matching request is hit (default 1) */
    probability: z.number().min(0).max(1).optional(),
  })
  .strict()

export type FaultRuleInput = z.infer<typeof faultRuleInput>
export interface FaultRule extends FaultRuleInput {
  id: string
  hits: number
  /** Matching requests let through because of `after`. */
  passed: number
}

export class FaultTable {
  private rules: FaultRule[] = []

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = {...input, id: randomUUID().slice(0, 8), hits: 0, passed: 0}
    this.rules.push(rule)
    return rule
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({...r}))
  }

  clear(filter?: {service?: string; id?: string}): number {
    const before = this.rules.length
    this.rules = this.rules.filter((r) => {
      if (filter?.id) return r.id !== filter.id
      if (filter?.service) return r.service !== filter.service
      return false
    })
    return before - this.rules.length
  }

  /** The rules that fire for this request (latency rules first, then at most one failure). */
  match(service: string, operation: string, random: () => number = Math.random): FaultRule[] {
    const fired: FaultRule[] = []
    let failure = false
    for (const r of this.rules) {
      if (r.service !== '*' && r.service !== service) continue
      if (r.operation && r.operation !== operation) continue
      if (r.times !== undefined && r.hits >= r.times) continue
      if (r.after !== undefined && r.passed < r.after) {
        r.passed++
        continue
      }
      if (r.kind !== 'latency' && failure) continue
      if (r.probability !== undefined && random() >= r.probability) continue
      r.hits++
      if (r.kind !== 'latency') failure = true
      fired.push(r)
    }
    this.rules = this.rules.filter((r) => r.times === undefined || r.hits < r.times)
    return fired.sort((a, b) => (a.kind === 'latency' ? -1 : 0) - (b.kind === 'latency' ? -1 : 0))
  }
}
