/** Database: Aurora topology, replica lag, restore window, snapshots, the last drill; Firebase backups. */
import {fmt} from '../../drill/run.js'
import {BACKUP_MAX_AGE_MS} from '../../status/sections.js'
import type {ClaimDefinition} from '../types.js'

const DAY_MS = 86_400_000
/** A drill older than this no longer proves anything (the status command's rule). */
const DRILL_MAX_AGE_MS = 90 * DAY_MS

export const databaseClaims: ClaimDefinition[] = [
  {
    id: 'db.aurora-replica',
    section: 'Database',
    sentence: () => 'The Aurora database runs as a writer plus at least one read-only replica.',
    rerun: 'impress aurora status',
    async check(ports) {
      const s = await ports.aurora()
      const writers = s.instances.filter((i) => i.role === 'writer' && i.status === 'available')
      const readers = s.instances.filter((i) => i.role === 'reader' && i.status === 'available')
      const facts = s.instances.map((i) => `${i.role} ${i.id} (${i.instanceClass}) ${i.status}`)
      return writers.length === 1 && readers.length >= 1
        ? {status: 'holds', detail: `cluster ${s.cluster.id}: 1 writer, ${readers.length} available replica(s)`, facts}
        : {status: 'fails', detail: `cluster ${s.cluster.id}: ${writers.length} available writer(s), ${readers.length} available replica(s)`, facts}
    },
  },
  {
    id: 'db.replica-lag',
    section: 'Database',
    sentence: (s) => `Replica lag stays within ${s.maxReplicaLagMs} ms.`,
    rerun: 'impress aurora status',
    async check(ports, settings) {
      const s = await ports.aurora()
      const readers = s.instances.filter((i) => i.role === 'reader')
      if (readers.length === 0) return {status: 'fails', detail: 'no replica, so no replica lag to bound'}
      const facts = readers.map((r) => `${r.id}: ${r.lagMs === undefined ? 'no lag data' : `${r.lagMs} ms`}`)
      const over = readers.filter((r) => r.lagMs !== undefined && r.lagMs > settings.maxReplicaLagMs)
      if (over.length > 0) return {status: 'fails', detail: `${over.map((r) => `${r.id} lags ${r.lagMs} ms`).join(', ')} (bound ${settings.maxReplicaLagMs} ms)`, facts}
      if (readers.some((r) => r.lagMs === undefined)) return {status: 'unknown', detail: 'replica lag could not be read for every replica', facts}
      return {status: 'holds', detail: `highest lag ${Math.max(...readers.map((r) => r.lagMs!))} ms (bound ${settings.maxReplicaLagMs} ms)`, facts}
    },
  },
  {
    id: 'db.restore-window',
    section: 'Database',
    sentence: (s) => `Point-in-time restore covers the last ${s.retentionDays} days.`,
    rerun: 'impress aurora status',
    async check(ports, settings, now) {
      const s = await ports.aurora()
      if (!s.restoreWindow) return {status: 'fails', detail: 'the cluster has no restore window'}
      const span = Date.parse(s.restoreWindow.latest) - Date.parse(s.restoreWindow.earliest)
      const facts = [`restore window ${s.restoreWindow.earliest} .. ${s.restoreWindow.latest}`, `backup retention ${s.cluster.backupRetentionDays} days`]
      const behind = now.getTime() - Date.parse(s.restoreWindow.latest)
      // a few minutes' slack: the window's ends move continuously while it is read
      const ok = s.cluster.backupRetentionDays >= settings.retentionDays && span >= settings.retentionDays * DAY_MS - 10 * 60_000 && behind < 60 * 60_000
      return {status: ok ? 'holds' : 'fails', detail: `window of ${(span / DAY_MS).toFixed(1)} days ending ${fmt(Math.max(0, behind))} ago; retention ${s.cluster.backupRetentionDays} days (policy ${settings.retentionDays})`, facts}
    },
  },
  {
    id: 'db.aurora-snapshot',
    section: 'Database',
    sentence: () => 'The newest Aurora snapshot is younger than the backup policy (weekly).',
    rerun: 'impress aurora snapshots',
    async check(ports) {
      const s = await ports.aurora()
      const newest = [s.newestAutomated, s.newestManual].filter((x) => x !== undefined).sort((a, b) => a.ageHours - b.ageHours)[0]
      if (!newest) return {status: 'fails', detail: 'the cluster has no available snapshot'}
      const age = newest.ageHours * 3_600_000
      return {status: age <= BACKUP_MAX_AGE_MS ? 'holds' : 'fails', detail: `newest snapshot ${newest.id} is ${fmt(age)} old (policy: at most ${fmt(BACKUP_MAX_AGE_MS)})`}
    },
  },
  {
    id: 'db.drill',
    section: 'Database',
    sentence: () => 'The last disaster-recovery drill restored the database and measured its RTO and RPO within target.',
    rerun: 'impress drill history',
    async check(ports, _settings, now) {
      const {history, reportFile} = await ports.drills()
      const last = history[0]
      if (!last) return {status: 'fails', detail: 'no drill has ever run (`impress drill` rehearses a restore)'}
      const evidence = [{kind: 'file' as const, ref: reportFile(last.id), label: `drill report ${last.id}`}]
      const age = now.getTime() - Date.parse(last.startedAt)
      const figures = `RTO ${last.rto.measuredMs === undefined ? 'not measured' : fmt(last.rto.measuredMs)} (target ${fmt(last.rto.targetMs)}), RPO ${last.rpo.measuredMs === undefined ? 'not measured' : fmt(last.rpo.measuredMs)} (target ${fmt(last.rpo.targetMs)})`
      const facts = [`drill ${last.id} on ${last.startedAt}: ${last.status}`, figures, ...(last.rpo.aurora ? [`Aurora restored to ${last.rpo.aurora.restoredTo}`] : [])]
      const restored = last.rpo.aurora !== undefined
      const ok = last.status === 'passed' && restored && last.rto.met && last.rpo.met && age <= DRILL_MAX_AGE_MS
      const why = age > DRILL_MAX_AGE_MS ? `the last drill is ${fmt(age)} old (more than 90 days)` : `drill ${last.id} ${fmt(age)} ago: ${last.status}${restored ? '' : ', no database restore'}; ${figures}`
      return {status: ok ? 'holds' : 'fails', detail: why, facts, evidence}
    },
  },
  {
    id: 'db.firebase-backup',
    section: 'Database',
    sentence: () => "Firebase's newest backup is younger than the backup policy (weekly).",
    rerun: 'impress firebase backups',
    async check(ports, _settings, now) {
      const f = await ports.firebase()
      const newest = f.backups[0]
      if (!newest) return {status: 'fails', detail: `no complete backup in ${f.location} (\`impress firebase backup\` takes one)`}
      const age = now.getTime() - Date.parse(newest.startedAt)
      return {status: age <= BACKUP_MAX_AGE_MS ? 'holds' : 'fails', detail: `newest backup ${newest.id} is ${fmt(age)} old (policy: at most ${fmt(BACKUP_MAX_AGE_MS)}); ${f.backups.length} complete backup(s)`}
    },
  },
  {
    id: 'db.firebase-verifies',
    section: 'Database',
    sentence: () => "Firebase's newest backup verifies: every chunk's SHA-256 and every count match its manifest.",
    rerun: 'impress firebase verify <newest backup>',
    async check(ports) {
      const f = await ports.firebase()
      const v = f.newestVerified
      if (!v) return {status: 'fails', detail: `no complete backup in ${f.location} to verify`}
      return v.ok
        ? {status: 'holds', detail: `backup ${v.id}: ${v.chunks} chunk(s), ${v.lines} line(s), ${v.count} value(s) match the manifest`, evidence: [{kind: 'command', ref: `impress firebase verify ${v.id}`}]}
        : {status: 'fails', detail: `backup ${v.id} fails verification: ${v.problems[0]?.problem ?? 'unknown problem'}`, facts: v.problems.map((p) => `${p.chunk ?? p.key ?? ''} ${p.problem}`.trim())}
    },
  },
]
