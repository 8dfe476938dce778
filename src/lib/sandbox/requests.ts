/** Request accounting: counts per service and operation, and a bounded log in arrival order. */

export interface RequestRecord {
  seq: number
  time: string
  service: string
  operation: string
  method: string
  path: string
  status?: number
  fault?: string
}

const LOG_LIMIT = 20_000

export class RequestLog {
  private seq = 0
  private records: RequestRecord[] = []
  private counts = new Map<string, Map<string, number>>()

  record(r: Omit<RequestRecord, 'seq' | 'time'>): RequestRecord {
    const rec: RequestRecord = {...r, seq: ++this.seq, time: new Date().toISOString()}
    this.records.push(rec)
    if (this.records.length > LOG_LIMIT) this.records.splice(0, this.records.length - LOG_LIMIT)
    let perService = this.counts.get(r.service)
    if (!perService) {
      perService = new Map()
      this.counts.set(r.service, perService)
    }
    perService.set(r.operation, (perService.get(r.operation) ?? 0) + 1)
    return rec
  }

  snapshot(withLog: boolean, service?: string): {total: number; counts: Record<string, Record<string, number>>; log?: RequestRecord[]} {
    const counts: Record<string, Record<string, number>> = {}
    let total = 0
    for (const [svc, ops] of this.counts) {
      if (service && svc !== service) continue
      counts[svc] = Object.fromEntries([...ops].sort(([a], [b]) => a.localeCompare(b)))
      for (const n of ops.values()) total += n
    }
    return {total, counts, ...(withLog ? {log: this.records.filter((r) => !service || r.service === service)} : {})}
  }

  reset(): void {
    this.records = []
    this.counts.clear()
  }
}
