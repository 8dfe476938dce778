/** The mutating commands the reliability campaign runs under faults, each with the state that must come out the same. */
import type {HarnessRun, Scenario} from './harness.js'

interface LambdaFn {
  name: string
  versions: string[]
  versionCode: Record<string, string>
  aliases: Record<string, string | {version: string; weights: Record<string, number>}>
}

const lambdaFns = async (h: HarnessRun) => (await h.platform()).lambda as {functions: LambdaFn[]}
const aliasOf = (f: LambdaFn | undefined, alias = 'live') => {
  const a = f?.aliases[alias]
  return typeof a === 'string' ? a : a?.version
}

/** The code behind a function's live alias (its SHA-256): version numbers may differ between runs, the code served may not. */
async function liveCode(h: HarnessRun, fn: string): Promise<{alias: string; sha: string | undefined}> {
  const f = (await lambdaFns(h)).functions.find((x) => x.name === fn)
  const version = aliasOf(f)
  return {alias: 'live', sha: version ? f?.versionCode[version] : undefined}
}

export const deployScenario: Scenario = {
  name: 'deploy etl',
  args: ['deploy', 'etl', '--yes'],
  services: ['lambda'],
  // a fresh workspace holds the demo sources, whose code differs from the seeded functions': the deploy has work to do.
  // How many versions exist too: a publish retried after its answer was lost (drop-after) must not add a second one.
  fingerprint: async (h) => {
    const f = (await lambdaFns(h)).functions.find((x) => x.name === 'impress-etl')
    return {...(await liveCode(h, 'impress-etl')), versions: f?.versions.length}
  },
}

export const rollbackScenario: Scenario = {
  name: 'rollback etl',
  args: ['rollback', 'etl', '--yes'],
  services: ['lambda'],
  fingerprint: async (h) => aliasOf((await lambdaFns(h)).functions.find((f) => f.name === 'impress-etl')),
}

export const rolesApplyScenario: Scenario = {
  name: 'roles apply',
  args: ['roles', 'apply', '--yes'],
  services: ['auth0'],
  async fingerprint(h) {
    const r = await h.cli(['roles', 'plan', '--json'])
    const doc = JSON.parse(r.stdout) as {summary: {changes: number}; drift: boolean}
    return {exit: r.exitCode, drift: doc.drift, changes: doc.summary.changes}
  },
}

export const SCENARIOS: Scenario[] = [deployScenario, rollbackScenario, rolesApplyScenario]

// ---- every other mutating command (issue 17) ----

/** Timestamps in resource ids (20261203-195657, 20261203T195709Z) differ between runs: the shape may not. */
const stamp = (s: string) => s.replace(/\d{8}[-T]?\d{6}Z?/g, 'T')
type Rds = {clusters: {id: string; resourceId: string; status: string; instances: {id: string; status: string}[]; restoredFrom?: {resourceId: string}}[]; snapshots: {id: string; type: string; status: string; cluster: string}[]}
const rds = async (h: HarnessRun) => (await h.platform()).rds as Rds
/** Clusters (and their instances) and snapshots, ids without timestamps: a duplicate or an orphan shows as one more. */
async function rdsShape(h: HarnessRun) {
  const r = await rds(h)
  const original = r.clusters.find((c) => c.id === 'impress-sandbox')
  return {
    // a cluster being deleted is on its way out (the sandbox takes a while, like RDS): not an orphan
    clusters: r.clusters.filter((c) => c.status !== 'deleting').map((c) => `${stamp(c.id)} ${c.status} [${c.instances.map((i) => `${stamp(i.id)} ${i.status}`).sort().join(', ')}]${c.restoredFrom ? ` from ${r.clusters.find((o) => o.resourceId === c.restoredFrom?.resourceId) ? stamp(r.clusters.find((o) => o.resourceId === c.restoredFrom?.resourceId)!.id) : 'gone'}` : ''}`).sort(),
    snapshots: r.snapshots.filter((s) => s.type === 'manual').map((s) => `${stamp(s.id)} ${s.status}`).sort(),
    originalAvailable: original?.status === 'available',
  }
}

export const lambdaPruneScenario: Scenario = {
  name: 'lambda prune',
  args: ['lambda', 'prune', 'etl', '--keep', '1', '--yes'],
  services: ['lambda'],
  fingerprint: async (h) => {
    const f = (await lambdaFns(h)).functions.find((x) => x.name === 'impress-etl')
    return {versions: f?.versions, live: aliasOf(f)}
  },
}

export const auroraSnapshotScenario: Scenario = {name: 'aurora snapshot', args: ['aurora', 'snapshot', '--tag', 'reason=campaign'], services: ['rds'], fingerprint: rdsShape}
export const auroraRestoreScenario: Scenario = {name: 'aurora restore', args: ['aurora', 'restore', '--latest', '--target', 'rel-copy'], services: ['rds'], fingerprint: rdsShape}
// resumed as documented: `impress aurora rollback` without --to-time (a relative time moves on; the same one is refused, naming the journal)
export const auroraRollbackScenario: Scenario = {name: 'aurora rollback', args: ['aurora', 'rollback', '--to-time', '1h ago', '--yes'], resumeArgs: ['aurora', 'rollback', '--yes'], services: ['rds'], fingerprint: rdsShape}
export const auroraPruneScenario: Scenario = {name: 'aurora prune', args: ['aurora', 'prune', '--yes'], services: ['rds'], fingerprint: rdsShape}

interface BackupRow {
  id: string
  kind: string
  complete?: boolean
  status?: string
}
/** The local store's backups by kind and state (a duplicate or a half backup shows), and whether the newest verifies. */
async function backups(h: HarnessRun) {
  const r = await h.cli(['firebase', 'backups', '--json'])
  const doc = JSON.parse(r.stdout) as {backups: BackupRow[]} | BackupRow[]
  const rows = Array.isArray(doc) ? doc : doc.backups
  const newest = rows[0]?.id
  const verify = newest ? (await h.cli(['firebase', 'verify', newest])).exitCode : undefined
  return {exit: r.exitCode, backups: rows.map((b) => `${b.kind} ${b.status ?? (b.complete ? 'complete' : 'incomplete')}`).sort(), newestVerifies: verify === 0}
}

export const firebaseBackupScenario: Scenario = {name: 'firebase backup', args: ['firebase', 'backup'], resumeArgs: ['firebase', 'backup', '--resume'], services: ['rtdb'], fingerprint: backups}
export const firestoreBackupScenario: Scenario = {name: 'firestore backup', args: ['firebase', 'backup', '--firestore'], resumeArgs: ['firebase', 'backup', '--firestore', '--resume'], services: ['firestore'], fingerprint: backups}

/** The restore scenarios start from one backup of each kind in the local store. */
async function newestBackup(h: HarnessRun, kind: string): Promise<string> {
  const r = await h.cli(['firebase', 'backups', '--json'])
  const doc = JSON.parse(r.stdout) as {backups: BackupRow[]} | BackupRow[]
  const row = (Array.isArray(doc) ? doc : doc.backups).find((b) => b.kind === kind)
  if (!row) throw new Error(`no ${kind} backup: ${r.stderr.slice(-300)}`)
  return row.id
}
/** The scratch database's content, as the restore's own comparison sees it. */
async function rtdbScratch(h: HarnessRun) {
  const r = (await h.platform()).rtdb as {databases: Record<string, {leaves: number}>}
  return {scratchLeaves: r.databases['impress-sandbox-scratch']?.leaves, sourceLeaves: r.databases['impress-sandbox']?.leaves}
}
const BACKUP_ID = '@backup'
/** A scenario whose args name the backup made in `prepare` (`@backup` in the args). */
function withBackup(s: Omit<Scenario, 'prepare'> & {kind: string; backupArgs: string[]}): Scenario {
  let id = ''
  const fill = (args: string[]) => args.map((a) => (a === BACKUP_ID ? id : a))
  const scenario: Scenario = {
    ...s,
    async prepare(h) {
      const b = await h.cli(s.backupArgs)
      if (b.exitCode !== 0) throw new Error(`prepare: ${b.stderr.slice(-300)}`)
      id = await newestBackup(h, s.kind)
    },
  }
  // the args are read after prepare has run
  Object.defineProperty(scenario, 'args', {get: () => fill(s.args)})
  if (s.resumeArgs) Object.defineProperty(scenario, 'resumeArgs', {get: () => fill(s.resumeArgs!)})
  return scenario
}

export const firebaseRestoreScenario = withBackup({
  name: 'firebase restore',
  kind: 'rtdb',
  backupArgs: ['firebase', 'backup'],
  args: ['firebase', 'restore', BACKUP_ID, '--to-database', 'impress-sandbox-scratch', '--yes'],
  resumeArgs: ['firebase', 'restore', BACKUP_ID, '--to-database', 'impress-sandbox-scratch', '--resume', '--yes'],
  services: ['rtdb'],
  fingerprint: rtdbScratch,
})

export const firestoreRestoreScenario = withBackup({
  name: 'firestore restore',
  kind: 'firestore',
  backupArgs: ['firebase', 'backup', '--firestore'],
  args: ['firebase', 'restore', BACKUP_ID, '--to-database', 'scratch', '--yes'],
  resumeArgs: ['firebase', 'restore', BACKUP_ID, '--to-database', 'scratch', '--resume', '--yes'],
  services: ['firestore'],
  fingerprint: async (h) => (await h.platform()).firestore,
})

/** The client secret in Auth0 and the one the backend reads from Secrets Manager agree (the rotation is whole). */
async function rotated(h: HarnessRun) {
  const tenant = h.sb.host.state.open<{clients: {name: string; client_secret: string}[]}>('auth0', 'impress-sandbox.eu.auth0.com', () => ({clients: []})).data
  const secrets = h.sb.host.state.open<{secrets: {name: string; versions: {value: string; stages: string[]}[]}[]}>('secretsmanager', 'secrets', () => ({secrets: []})).data
  const client = tenant.clients.find((c) => c.name === 'impress-backend')
  const stored = secrets.secrets.find((s) => s.name === 'impress/sandbox/auth0-backend')?.versions.find((v) => v.stages.includes('AWSCURRENT'))?.value ?? ''
  const plan = await h.cli(['roles', 'plan', '--json'])
  return {agree: Boolean(client && stored.includes(client.client_secret)), rotated: client?.client_secret !== ROTATE_SEED, planExit: plan.exitCode}
}
let ROTATE_SEED = ''
export const rolesRotateScenario: Scenario = {
  name: 'roles rotate',
  args: ['roles', 'rotate', '--yes'],
  services: ['auth0', 'secretsmanager'],
  async prepare(h) {
    ROTATE_SEED = h.sb.host.state.open<{clients: {name: string; client_secret: string}[]}>('auth0', 'impress-sandbox.eu.auth0.com', () => ({clients: []})).data.clients.find((c) => c.name === 'impress-backend')?.client_secret ?? ''
  },
  fingerprint: rotated,
}

export const accessRevokeScenario: Scenario = {
  name: 'access revoke',
  args: ['access', 'revoke', 'eve@impress.example', '--yes'],
  async fingerprint(h) {
    const p = await h.platform()
    const review = await h.cli(['access', 'review', '--json'])
    return {iam: p.iam, github: p.github, cloudflare: p.cloudflare, google: p.google, auth0Users: (p.auth0 as {users: number}).users, reviewExit: review.exitCode}
  },
}

export const drillScenario: Scenario = {
  name: 'drill',
  args: ['drill', '--yes', '--no-notify'],
  services: ['rds'],
  fingerprint: rdsShape,
}

export const ALL_SCENARIOS: Scenario[] = [
  ...SCENARIOS,
  lambdaPruneScenario,
  auroraSnapshotScenario,
  auroraRestoreScenario,
  auroraRollbackScenario,
  auroraPruneScenario,
  firebaseBackupScenario,
  firestoreBackupScenario,
  firebaseRestoreScenario,
  firestoreRestoreScenario,
  rolesRotateScenario,
  accessRevokeScenario,
  drillScenario,
]

// ---- kills at every step (test/reliability/kills.ts) ----

/** deploy under kills: the code behind live, and how many versions exist (a duplicate publish shows). */
export const deployKillScenario: Scenario = deployScenario

export const KILL_SCENARIOS: Scenario[] = [deployKillScenario, auroraRollbackScenario, firebaseRestoreScenario, firestoreBackupScenario, drillScenario]
