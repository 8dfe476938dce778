/** The sandbox's mail sink as an inbox (GET /mail/messages): where `monitor test` checks that the alarm email arrived. */
import type {Inbox} from '../../monitor/rehearsal.js'

export function sandboxInbox(baseUrl: string): Inbox {
  return {
    async received(to, subject, since) {
      const r = await fetch(`${baseUrl}/mail/messages`, {signal: AbortSignal.timeout(10_000)})
      if (!r.ok) return undefined
      const {messages} = (await r.json()) as {messages: {receivedAt: string; to: string[]; raw: string}[]}
      const hit = messages.find((m) => Date.parse(m.receivedAt) >= since && m.to.some((x) => x.toLowerCase() === to.toLowerCase()) && (/^Subject: (.*)$/m.exec(m.raw)?.[1] ?? '').includes(subject))
      return hit ? Date.parse(hit.receivedAt) : undefined
    },
  }
}
