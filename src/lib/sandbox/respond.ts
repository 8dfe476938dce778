import type {ServerResponse} from 'node:http'

/** Answer a sandbox request with a JSON document. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers})
  res.end(body)
}
