/**
 * Anchors: the signed head of the log, copied outside the machine (an S3 object under a
 * write-once key, under Object Lock when configured) at intervals and after every destructive
 * command. Someone who can write the log's folder cannot take back what was anchored: a
 * truncated or rewritten log no longer matches its anchors. Like CloudTrail's signed digest
 * files or an RFC 6962 signed tree head, each anchor names a line count and the hash of the
 * log up to it; its key carries the HMAC, so a listing alone checks every anchor.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {sha256} from './chain.js'
import {readHead} from './log.js'
import {sameMac, signHead, type AuditKey, type Signature} from './sign.js'
import type {AuditProblem, ChainReport} from './verify.js'

/** Where anchors are written (platform/aws/s3-anchors.ts implements it over S3). */
export interface AnchorStore {
  readonly location: string
  /** Create the object only if the key is new; 'exists' when it was already there. */
  putOnce(key: string, body: string, options: {retainUntil?: Date}): Promise<'written' | 'exists'>
  list(prefix: string): Promise<{key: string; lastModified?: string}[]>
  get(key: string): Promise<string | undefined>
}

export interface AnchorSettings {
  bucket: string
  prefix: string
  intervalMs: number
  retainDays?: number
}

export interface AnchorBody {
  v: 1
  log: string
  host: string
  path: string
  lines: number
  bytes?: number
  last: string
  time: string
  sig: Signature
}

/** One log on one machine: its anchors live under `<prefix><logId>/`. */
export function logId(logPath: string): string {
  return sha256(`${os.hostname()}\0${path.resolve(logPath)}`).slice(0, 16)
}

export function anchorPrefix(settings: Pick<AnchorSettings, 'prefix'>, logPath: string): string {
  return `${settings.prefix}${logId(logPath)}/`
}

const NAME = /(\d{12})-([0-9a-f]{64})\.json$/

function anchorKey(prefix: string, lines: number, mac: string): string {
  return `${prefix}${String(lines).padStart(12, '0')}-${mac}.json`
}

interface AnchorState {
  lines: number
  at: number
}

function statePath(logPath: string): string {
  return `${logPath}.anchor`
}

/** When the last anchor was written (a local note for scheduling only: verify trusts the store). */
export function readAnchorState(logPath: string): AnchorState | undefined {
  try {
    return JSON.parse(fs.readFileSync(statePath(logPath), 'utf8')) as AnchorState
  } catch {
    return undefined
  }
}

/** Is an anchor due by the interval (never anchored, or the last one is older than it)? */
export function anchorDue(logPath: string, settings: AnchorSettings, now = Date.now()): boolean {
  const head = readHead(logPath)
  if (!head || head.lines === 0) return false
  const state = readAnchorState(logPath)
  return !state || (state.lines !== head.lines && now - state.at >= settings.intervalMs)
}

/** Write the current signed head as an anchor. The head must carry a valid signature by `key`. */
export async function writeAnchor(logPath: string, settings: AnchorSettings, store: AnchorStore, key: AuditKey, now = new Date()): Promise<{key: string; lines: number; result: 'written' | 'exists'}> {
  const head = readHead(logPath)
  if (!head || head.lines === 0) throw new Error('the log is empty')
  if (!head.sig || head.sig.kid !== key.kid || !sameMac(signHead(key, head).mac, head.sig.mac)) throw new Error('its head is not signed with the current key')
  const body: AnchorBody = {v: 1, log: logId(logPath), host: os.hostname(), path: path.resolve(logPath), lines: head.lines, bytes: head.bytes, last: head.last, time: now.toISOString(), sig: head.sig}
  const name = anchorKey(anchorPrefix(settings, logPath), head.lines, head.sig.mac)
  const retainUntil = settings.retainDays ? new Date(now.getTime() + settings.retainDays * 86_400_000) : undefined
  const result = await store.putOnce(name, JSON.stringify(body), {retainUntil})
  fs.writeFileSync(statePath(logPath), JSON.stringify({lines: head.lines, at: now.getTime()} satisfies AnchorState), {mode: 0o600})
  return {key: name, lines: head.lines, result}
}

export interface LineRange {
  from: number
  to: number
}

export interface AnchorReport {
  status: 'checked' | 'not-configured' | 'unavailable'
  location?: string
  prefix?: string
  error?: string
  /** Anchors found for this log, and how many match it. */
  count: number
  matching: number
  /** Lines 1..coveredThrough are covered by an anchor that matches the log. */
  coveredThrough: number
  covered?: LineRange
  notCovered?: LineRange
  newest?: {lines: number; time?: string}
  problems: AuditProblem[]
}

/** Check every anchor of this log against the lines (their hashes and sizes come from checkChain). */
export async function checkAnchors(logPath: string, settings: AnchorSettings, store: AnchorStore, keys: ReadonlyMap<string, AuditKey>, chain: ChainReport): Promise<AnchorReport> {
  const prefix = anchorPrefix(settings, logPath)
  const listed = (await store.list(prefix)).map((o) => ({...o, m: NAME.exec(o.key)})).filter((o) => o.m !== null)
  const problems: AuditProblem[] = []
  let coveredThrough = 0
  let matching = 0
  let newest: AnchorReport['newest']
  for (const o of listed) {
    const lines = Number(o.m![1])
    const mac = o.m![2]
    if (!newest || lines > newest.lines) newest = {lines, time: o.lastModified}
    const head = lines <= chain.lines ? {lines, bytes: chain.lineEnds[lines - 1], last: chain.lineHashes[lines - 1]} : undefined
    if (head && [...keys.values()].some((k) => sameMac(signHead(k, head).mac, mac))) {
      matching++
      coveredThrough = Math.max(coveredThrough, lines)
      continue
    }
    problems.push({...(await explainMismatch(store, o.key, lines, chain.lines, keys)), ...(o.lastModified ? {anchoredAt: o.lastModified} : {})})
  }
  return {
    status: 'checked',
    location: store.location,
    prefix,
    count: listed.length,
    matching,
    coveredThrough,
    ...(coveredThrough > 0 ? {covered: {from: 1, to: coveredThrough}} : {}),
    ...(chain.lines > coveredThrough ? {notCovered: {from: coveredThrough + 1, to: chain.lines}} : {}),
    ...(newest ? {newest} : {}),
    problems,
  }
}

async function explainMismatch(store: AnchorStore, key: string, lines: number, count: number, keys: ReadonlyMap<string, AuditKey>): Promise<AuditProblem> {
  const where = `${store.location}/${key}`
  let body: AnchorBody | undefined
  try {
    const text = await store.get(key)
    body = text ? (JSON.parse(text) as AnchorBody) : undefined
  } catch {
    body = undefined
  }
  const k = body?.sig ? keys.get(body.sig.kid) : undefined
  const genuine = Boolean(body && k && sameMac(signHead(k, body).mac, body.sig.mac) && key.endsWith(`-${body.sig.mac}.json`))
  if (!genuine && body?.sig && !k) return {line: Math.min(lines, count + 1), reason: `cannot be checked against the anchor ${where}: it is signed with key version ${body.sig.kid}, which the secret store does not have`}
  if (!genuine) return {line: Math.min(lines, count + 1), reason: `is named by an anchor that impress did not write (${where} is not signed with the audit key: someone with write access to the bucket)`}
  if (lines > count) return {line: count + 1, reason: `is missing: the anchor ${where} written ${body!.time} records ${lines} lines (lines at the end were removed, or the log was replaced)`}
  return {line: lines, reason: `differs from the anchor ${where} written ${body!.time}: the log up to this line was changed after it was anchored`}
}
