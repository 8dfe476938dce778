/**
 * Demo IMPRESS data for the sandbox Realtime Database: translations in several languages,
 * texts with revisions, screenshare sessions, and two wide nodes of 50,000 children each
 * (presence and an event log keyed by push ids), generated deterministically.
 */
import type {RtdbValue} from './tree.js'

export const DEFAULT_NAMESPACE = 'impress-sandbox'
export const SCRATCH_NAMESPACE = 'impress-sandbox-scratch'
export const WIDE_CHILDREN = 50_000

const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'pl']
const WORDS = ['invoice', 'patient', 'report', 'session', 'document', 'schedule', 'review', 'share', 'screen', 'print', 'export', 'archive', 'settings', 'profile', 'message']
const PUSH_CHARS = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz'

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 4294967296
  }
}

/** A push-id-like key: 8 time characters then 12 random ones (same alphabet as RTDB push ids). */
function pushId(time: number, rand: () => number): string {
  let t = ''
  for (let i = 0; i < 8; i++) {
    t = PUSH_CHARS.charAt(time % 64) + t
    time = Math.floor(time / 64)
  }
  for (let i = 0; i < 12; i++) t += PUSH_CHARS.charAt(Math.floor(rand() * 64))
  return t
}

export function seedImpressTree(): {[key: string]: RtdbValue} {
  const rand = rng(20261123)
  const base = 1_763_856_000_000
  const translations: {[key: string]: RtdbValue} = {}
  for (const lang of LANGUAGES) {
    const table: {[key: string]: RtdbValue} = {}
    for (let i = 0; i < 200; i++) {
      const w = WORDS[i % WORDS.length]
      table[`${w}_${i}`] = `${lang}:${w} ${i}`
    }
    translations[lang] = table
  }
  const texts: {[key: string]: RtdbValue} = {}
  for (let i = 0; i < 300; i++) {
    const id = pushId(base / 1000 + i * 60, rand)
    const revisions: {[key: string]: RtdbValue} = {}
    for (let r = 1; r <= 1 + (i % 3); r++) revisions[`r${r}`] = {author: `user${(i * 7 + r) % 40}`, at: base + i * 60_000 + r * 1000}
    texts[id] = {title: `Text ${i}`, body: `${WORDS[i % WORDS.length]} body ${i}`, language: LANGUAGES[i % LANGUAGES.length], updatedAt: base + i * 60_000, revisions}
  }
  const sessions: {[key: string]: RtdbValue} = {}
  for (let i = 0; i < 100; i++) {
    const participants: {[key: string]: RtdbValue} = {}
    for (let p = 0; p < 2 + (i % 4); p++) participants[`user${(i + p * 3) % 40}`] = {joinedAt: base + i * 1000 + p, role: p === 0 ? 'host' : 'viewer'}
    sessions[`s${String(i).padStart(4, '0')}`] = {host: `user${i % 40}`, startedAt: base + i * 1000, active: i % 5 === 0, participants, state: {page: i % 12, zoom: 1 + (i % 3) / 2}}
  }
  const presence: {[key: string]: RtdbValue} = {}
  for (let i = 0; i < WIDE_CHILDREN; i++) presence[`u${i}`] = rand() < 0.1
  const events: {[key: string]: RtdbValue} = {}
  for (let i = 0; i < WIDE_CHILDREN; i++) events[pushId(base / 1000 + i, rand)] = i
  return {translations, texts, screenshare: {sessions}, presence, events}
}
