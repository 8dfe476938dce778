/**
 * The Vercel state of the demo platform: team `impress` with project `impress-app` (production
 * domain app.impress.example), three production deployments made by `impress frontend deploy`
 * (their meta carries its record) and one preview deployment; the uploaded files they reference.
 */
import {createHash} from 'node:crypto'
import {vercelContentHash, vercelMeta} from '../../../frontend/vercel-meta.js'

export interface VercelUser {
  uid: string
  username: string
  email: string
}

export interface VercelDeploymentFile {
  file: string
  sha: string
  size: number
}

export interface VercelDeployment {
  id: string
  name: string
  url: string
  projectId: string
  ownerId: string
  target: 'production' | null
  createdAt: number
  creator: VercelUser
  meta: Record<string, string>
  files: VercelDeploymentFile[]
}

export interface VercelAliasRequest {
  fromDeploymentId: string | null
  toDeploymentId: string
  jobStatus: 'succeeded'
  requestedAt: number
  type: 'promote' | 'rollback'
}

export interface VercelProject {
  id: string
  name: string
  accountId: string
  createdAt: number
  updatedAt: number
  domains: string[]
  /** The deployment the production domains point at. */
  productionDeploymentId: string | null
  /** After a rollback, new production deployments are not assigned the domains until one is promoted. */
  autoAssignPaused: boolean
  lastAliasRequest: VercelAliasRequest | null
  lastRollbackTarget: {fromDeploymentId: string | null; toDeploymentId: string; jobStatus: 'succeeded'; requestedAt: number} | null
}

export interface VercelTeam {
  id: string
  slug: string
  name: string
}

export interface VercelState {
  /** token → user id and the teams the token may act for. */
  tokens: {token: string; userId: string; teamIds: string[]}[]
  users: VercelUser[]
  teams: VercelTeam[]
  projects: VercelProject[]
  deployments: VercelDeployment[]
}

/** Uploaded file contents, base64, by owner (team or user id) then SHA-1: a document of its own. */
export type VercelFiles = Record<string, Record<string, string>>

export const SANDBOX_VERCEL_TOKEN = 'vercel-sandbox-token'
export const DEMO_VERCEL = {teamId: 'team_Imp7ess0Sandb0xTeam00000001', teamSlug: 'impress', projectId: 'prj_Imp7essApp0Sandb0x000000001', projectName: 'impress-app', domain: 'app.impress.example'}

const DAY = 86_400_000

export function sha1(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex')
}

/** A Vercel-looking id (`dpl_` + 28 base62 characters) derived from a seed string. */
export function vercelId(prefix: string, seed: string): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
  const bytes = createHash('sha256').update(seed).digest()
  return `${prefix}_${[...bytes.subarray(0, 28)].map((b) => alphabet[b % 62]).join('')}`
}

function page(version: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>IMPRESS app</title></head>\n<body><div id="app" data-version="${version}"></div><script src="/app.js"></script></body></html>\n`
}

export function demoVercel(now = Date.now()): {state: VercelState; files: VercelFiles} {
  const alice: VercelUser = {uid: 'usr_A1iceImpressSandb0x00000001', username: 'alice-imp', email: 'alice@impress.example'}
  const bob: VercelUser = {uid: 'usr_B0bImpressSandb0x000000001', username: 'bob-imp', email: 'bob@impress.example'}
  const team = DEMO_VERCEL.teamId
  const store: Record<string, string> = {}
  const put = (text: string): VercelDeploymentFile & {text: string} => {
    const data = Buffer.from(text)
    const sha = sha1(data)
    store[sha] = data.toString('base64')
    return {file: '', sha, size: data.length, text}
  }
  const deployment = (n: number, daysAgo: number, creator: VercelUser, target: 'production' | null, source: string, contents: Record<string, string>): VercelDeployment => {
    const files = Object.entries(contents).map(([file, text]) => {
      const {sha, size} = put(text)
      return {file, sha, size}
    })
    const id = vercelId('dpl', `impress-app ${n}`)
    return {
      id,
      name: DEMO_VERCEL.projectName,
      url: `${DEMO_VERCEL.projectName}-${id.slice(4, 13).toLowerCase()}-${DEMO_VERCEL.teamSlug}.vercel.app`,
      projectId: DEMO_VERCEL.projectId,
      ownerId: team,
      target,
      createdAt: now - daysAgo * DAY,
      creator,
      meta: vercelMeta({deployedBy: `${creator.username}@build-host`, sourceCommit: createHash('sha1').update(source).digest('hex'), contentHash: vercelContentHash(files), files: files.length, bytes: files.reduce((s, f) => s + f.size, 0), subject: source}),
      files,
    }
  }
  const deployments = [
    deployment(1, 3, alice, 'production', 'Release 1.0.0', {'index.html': page('1.0.0'), 'app.js': 'console.log("impress 1.0.0")\n'}),
    deployment(2, 2, bob, 'production', 'Release 1.1.0', {'index.html': page('1.1.0'), 'app.js': 'console.log("impress 1.1.0")\n', 'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n'}),
    deployment(3, 1.5, bob, null, 'Preview of 1.2.0', {'index.html': page('1.2.0-rc'), 'app.js': 'console.log("impress 1.2.0-rc")\n'}),
    deployment(4, 1, alice, 'production', 'Release 1.2.0', {'index.html': page('1.2.0'), 'app.js': 'console.log("impress 1.2.0")\n', 'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n'}),
  ]
  return {
    state: {
      tokens: [{token: SANDBOX_VERCEL_TOKEN, userId: alice.uid, teamIds: [team]}],
      users: [alice, bob],
      teams: [{id: team, slug: DEMO_VERCEL.teamSlug, name: 'IMPRESS'}],
      projects: [
        {id: DEMO_VERCEL.projectId, name: DEMO_VERCEL.projectName, accountId: team, createdAt: now - 30 * DAY, updatedAt: now - DAY, domains: [DEMO_VERCEL.domain], productionDeploymentId: deployments[3].id, autoAssignPaused: false, lastAliasRequest: null, lastRollbackTarget: null},
      ],
      deployments,
    },
    files: {[team]: store},
  }
}
