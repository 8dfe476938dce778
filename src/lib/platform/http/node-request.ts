/**
 * One HTTP(S) request over node:http / node:https, answered as the response stream. Used where
 * bulk bytes flow (Realtime Database reads): the global fetch() goes through undici and web
 * streams, which cost a backup about as much CPU per byte as slicing the answers does, plus
 * ~100 ms to load on first use. Keep-alive comes from Node's global agents (on by default).
 */
import http, {type IncomingMessage} from 'node:http'
import https from 'node:https'
import {pipeline} from 'node:stream'
import {createGunzip, createInflate} from 'node:zlib'

export interface NodeRequest {
  method: string
  headers?: Record<string, string>
  body?: string
  signal?: AbortSignal
}

export function nodeRequest(url: string, o: NodeRequest): Promise<IncomingMessage> {
  const u = new URL(url)
  const lib = u.protocol === 'https:' ? https : http
  return new Promise<IncomingMessage>((resolve, reject) => {
    // Compressed answers are accepted (as fetch() asks for them): bulk JSON over a WAN shrinks ~10x.
    const headers: Record<string, string | number> = {'accept-encoding': 'gzip, deflate', ...o.headers}
    if (o.body !== undefined) headers['content-length'] = Buffer.byteLength(o.body)
    const req = lib.request(u, {method: o.method, headers, signal: o.signal}, resolve)
    req.on('error', reject)
    req.end(o.body)
  })
}

/** Raised by readBody when the answer is larger than the cap (the connection is dropped). */
export class BodyTooLarge extends Error {}

/** The whole body, decompressed; above `cap` bytes (declared or received), BodyTooLarge and the rest is not read. */
export async function readBody(res: IncomingMessage, cap = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const encoding = res.headers['content-encoding']
  const compressed = encoding === 'gzip' || encoding === 'deflate'
  const declared = Number(res.headers['content-length'])
  if (!compressed && Number.isFinite(declared) && declared > cap) {
    res.destroy()
    throw new BodyTooLarge()
  }
  const source = compressed ? pipeline(res, encoding === 'gzip' ? createGunzip() : createInflate(), () => {}) : res
  const parts: Buffer[] = []
  let total = 0
  for await (const part of source as AsyncIterable<Buffer>) {
    total += part.length
    if (total > cap) {
      source.destroy()
      res.destroy()
      throw new BodyTooLarge()
    }
    parts.push(part)
  }
  if (!res.complete) throw new Error('The connection closed before the whole answer arrived.')
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, total)
}
