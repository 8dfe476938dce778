/**
 * Vercel REST API (https://vercel.com/docs/rest-api), mounted under /vercel: file uploads by
 * SHA-1, deployments made of uploaded files (a `missing_files` error lists what is not uploaded
 * yet), the deployments list with `until` pagination, projects, and moving the production
 * domains (promote, instant rollback). Bearer tokens; `teamId`/`slug` select the team; errors
 * are `{error: {code, message}}`. See SPEC.md.
 */
import type {ServerResponse} from 'node:http'
import {sendJson} from '../../respond.js'
import type {SandboxRequest, ServiceContext, ServiceFactory} from '../../types.js'
import {vercelCatalog} from './catalog.js'
import {demoVercel, sha1, vercelId, type VercelDeployment, type VercelFiles, type VercelProject, type VercelState} from './seed.js'

export const VERCEL_PREFIX = '/vercel'
const ROUTES: [string, string, RegExp][] = [
  ['POST', 'deployments.uploadFile', /^\/v2\/files$/],
  ['POST', 'deployments.createDeployment', /^\/v13\/deployments$/],
  ['GET', 'deployments.getDeployments', /^\/v6\/deployments$/],
  ['GET', 'deployments.getDeployment', /^\/v13\/deployments\/([^/]+)$/],
  ['GET', 'projects.getProject', /^\/v9\/projects\/([^/]+)$/],
  ['POST', 'projects.requestPromote', /^\/v10\/projects\/([^/]+)\/promote\/([^/]+)$/],
  ['POST', 'projects.requestRollback', /^\/v1\/projects\/([^/]+)\/rollback\/([^/]+)$/],
]

function route(req: SandboxRequest): {op: string; args: string[]} | undefined {
  const p = req.path.slice(VERCEL_PREFIX.length)
  for (const [method, op, re] of ROUTES) {
    const m = re.exec(p)
    if (m && req.method === method) return {op, args: m.slice(1).map(decodeURIComponent)}
  }
  return undefined
}

class VercelError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

export const vercelService: ServiceFactory = (ctx: ServiceContext) => {
  let seeded: ReturnType<typeof demoVercel> | undefined
  const seed = () => (seeded ??= demoVercel(Date.now()))
  const store = () => ctx.state.open<VercelState>('vercel', 'api', () => seed().state)
  const files = () => ctx.state.open<VercelFiles>('vercel', 'files', () => seed().files)
  const fail = (res: ServerResponse, status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => sendJson(res, status, {error: {code, message, ...extra}}, headers)

  /** The token's owner scope: the team named by teamId/slug (the token must belong to it), else the user. */
  const scope = (req: SandboxRequest): {ownerId: string; userId: string} => {
    const s = store().data
    const auth = req.headers.authorization
    const token = typeof auth === 'string' && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : undefined
    if (!token) throw new VercelError(401, 'forbidden', 'The request is missing an authentication token', {missingToken: true})
    const t = s.tokens.find((x) => x.token === token)
    if (!t) throw new VercelError(401, 'forbidden', 'Not authorized', {invalidToken: true})
    const q = req.url.searchParams
    const teamId = q.get('teamId') ?? (q.get('slug') ? s.teams.find((x) => x.slug === q.get('slug'))?.id ?? `slug:${q.get('slug')}` : undefined)
    if (teamId === undefined) return {ownerId: t.userId, userId: t.userId}
    if (!t.teamIds.includes(teamId)) throw new VercelError(403, 'forbidden', 'Not authorized')
    return {ownerId: teamId, userId: t.userId}
  }
  const projectOf = (ownerId: string, idOrName: string): VercelProject => {
    const p = store().data.projects.find((x) => x.accountId === ownerId && (x.id === idOrName || x.name === idOrName))
    if (!p) throw new VercelError(404, 'not_found', 'Project not found')
    return p
  }
  const deploymentOf = (ownerId: string, idOrUrl: string): VercelDeployment => {
    const host = idOrUrl.replace(/^https?:\/\//, '')
    const d = store().data.deployments.find((x) => x.ownerId === ownerId && (x.id === idOrUrl || x.url === host))
    if (!d) throw new VercelError(404, 'not_found', 'Deployment not found')
    return d
  }
  const projectById = (id: string) => store().data.projects.find((p) => p.id === id)
  const isCurrent = (d: VercelDeployment) => projectById(d.projectId)?.productionDeploymentId === d.id
  const aliasesOf = (d: VercelDeployment) => (isCurrent(d) ? [...(projectById(d.projectId)?.domains ?? []), `${d.name}.vercel.app`] : [])
  const substate = (d: VercelDeployment) => (d.target === 'production' && !isCurrent(d) && d.id === stagedId(d) ? 'STAGED' : 'PROMOTED')
  /** A production deployment made while auto-assignment was paused, never promoted since: STAGED. */
  const stagedId = (d: VercelDeployment) => (d.meta.__staged === '1' ? d.id : undefined)
  const publicMeta = (d: VercelDeployment) => Object.fromEntries(Object.entries(d.meta).filter(([k]) => k !== '__staged'))
  const creatorOf = (d: VercelDeployment) => ({uid: d.creator.uid, username: d.creator.username, email: d.creator.email})

  const full = (d: VercelDeployment) => ({
    id: d.id,
    url: d.url,
    name: d.name,
    meta: publicMeta(d),
    target: d.target,
    readyState: 'READY',
    readySubstate: substate(d),
    type: 'LAMBDAS',
    version: 2,
    public: false,
    createdAt: d.createdAt,
    buildingAt: d.createdAt,
    ready: d.createdAt,
    creator: {uid: d.creator.uid, username: d.creator.username},
    ownerId: d.ownerId,
    projectId: d.projectId,
    alias: aliasesOf(d),
    aliasAssigned: isCurrent(d) ? d.createdAt : null,
    regions: ['iad1'],
    status: 'READY',
  })
  const listItem = (d: VercelDeployment) => ({
    uid: d.id,
    name: d.name,
    url: d.url,
    created: d.createdAt,
    createdAt: d.createdAt,
    buildingAt: d.createdAt,
    ready: d.createdAt,
    state: 'READY',
    readyState: 'READY',
    readySubstate: substate(d),
    type: 'LAMBDAS',
    creator: creatorOf(d),
    meta: publicMeta(d),
    target: d.target,
    projectId: d.projectId,
    aliasAssigned: isCurrent(d) ? d.createdAt : null,
    isRollbackCandidate: d.target === 'production' && !isCurrent(d),
  })
  const summary = (d: VercelDeployment) => ({id: d.id, url: d.url, alias: aliasesOf(d), aliasAssigned: isCurrent(d) ? d.createdAt : null, createdAt: d.createdAt, creator: creatorOf(d), meta: publicMeta(d), readyState: 'READY', readySubstate: substate(d), target: d.target, type: 'LAMBDAS'})

  const handlers: Record<string, (req: SandboxRequest, res: ServerResponse, args: string[]) => void> = {
    'deployments.uploadFile'(req, res) {
      const {ownerId} = scope(req)
      const digest = String(req.headers['x-vercel-digest'] ?? req.headers['x-now-digest'] ?? '').toLowerCase()
      if (!/^[0-9a-f]{40}$/.test(digest)) throw new VercelError(400, 'bad_request', 'Missing or invalid x-vercel-digest header (the SHA-1 of the file, 40 hex digits)')
      const size = req.headers['x-now-size'] ?? req.headers['content-length']
      if (size !== undefined && Number(size) !== req.body.length) throw new VercelError(400, 'bad_request', `The file size ${String(size)} does not match the ${req.body.length} bytes received`)
      if (sha1(req.body) !== digest) throw new VercelError(400, 'bad_request', `The file SHA-1 does not match x-vercel-digest ${digest}`)
      const f = files()
      ;(f.data[ownerId] ??= {})[digest] = req.body.toString('base64')
      f.save()
      sendJson(res, 200, {})
    },
    'deployments.createDeployment'(req, res) {
      const {ownerId, userId} = scope(req)
      let body: {name?: unknown; project?: unknown; target?: unknown; files?: unknown; meta?: unknown; projectSettings?: unknown}
      try {
        body = req.json()
      } catch {
        throw new VercelError(400, 'bad_request', 'Invalid JSON body')
      }
      if (typeof body.name !== 'string' || !body.name) throw new VercelError(400, 'bad_request', 'Invalid request: missing required property `name`.')
      if (body.projectSettings !== undefined) {
        const ps = body.projectSettings as Record<string, unknown>
        const building = Object.entries(ps ?? {}).filter(([, v]) => v !== null && v !== undefined)
        if (building.length > 0) throw new VercelError(501, 'not_implemented', `The sandbox does not model builds (projectSettings.${building[0][0]}); it deploys prebuilt static files only.`)
      }
      const project = typeof body.project === 'string' ? projectOf(ownerId, body.project) : store().data.projects.find((p) => p.accountId === ownerId && p.name === body.name)
      if (!project) throw new VercelError(501, 'not_implemented', `The sandbox does not model creating a project by deploying (no project named ${body.name}); pass \`project\` with an existing project.`)
      const target = body.target === undefined || body.target === 'preview' ? null : body.target === 'production' ? 'production' : undefined
      if (target === undefined) throw new VercelError(400, 'bad_request', 'Invalid request: `target` should be "production" or "preview" (custom environments are not modelled).')
      if (!Array.isArray(body.files) || body.files.length === 0) throw new VercelError(400, 'bad_request', 'Invalid request: `files` should be a non-empty array (git deployments are not modelled).')
      const list: VercelDeployment['files'] = []
      const seen = new Set<string>()
      for (const [i, f] of (body.files as Record<string, unknown>[]).entries()) {
        if (f && 'data' in f) throw new VercelError(501, 'not_implemented', 'The sandbox does not model inline file data (files[].data); upload the file to /v2/files and pass its sha.')
        if (!f || typeof f.file !== 'string' || !f.file || f.file.startsWith('/') || f.file.split('/').includes('..') || typeof f.sha !== 'string' || !/^[0-9a-f]{40}$/.test(f.sha)) throw new VercelError(400, 'bad_request', `Invalid request: files[${i}] should have a relative \`file\` path and a 40-hex-digit \`sha\`.`)
        if (seen.has(f.file)) throw new VercelError(400, 'bad_request', `Invalid request: the file ${f.file} is listed twice.`)
        seen.add(f.file)
        list.push({file: f.file, sha: f.sha, size: typeof f.size === 'number' ? f.size : 0})
      }
      const meta = (body.meta ?? {}) as Record<string, unknown>
      if (typeof meta !== 'object' || Array.isArray(meta)) throw new VercelError(400, 'bad_request', 'Invalid request: `meta` should be an object.')
      for (const [k, v] of Object.entries(meta)) {
        if (typeof v !== 'string' || v.length > 256) throw new VercelError(400, 'bad_request', `Invalid request: meta.${k} should be a string of at most 256 characters.`)
      }
      const have = files().data[ownerId] ?? {}
      const missing = [...new Set(list.map((f) => f.sha).filter((sha) => !have[sha]))]
      if (missing.length > 0) throw new VercelError(400, 'missing_files', 'Missing files', {missing})
      for (const f of list) f.size = Buffer.from(have[f.sha], 'base64').length
      const s = store().data
      const user = s.users.find((u) => u.uid === userId)!
      const last = Math.max(0, ...s.deployments.map((d) => d.createdAt))
      const createdAt = Math.max(Date.now(), last + 1)
      const id = vercelId('dpl', `${project.id} ${createdAt} ${s.deployments.length}`)
      const team = s.teams.find((t) => t.id === ownerId)
      const d: VercelDeployment = {id, name: project.name, url: `${project.name}-${id.slice(4, 13).toLowerCase()}-${team?.slug ?? user.username}.vercel.app`, projectId: project.id, ownerId, target, createdAt, creator: user, meta: meta as Record<string, string>, files: list}
      if (target === 'production') {
        if (project.autoAssignPaused) d.meta = {...d.meta, __staged: '1'}
        else project.productionDeploymentId = id
      }
      project.updatedAt = createdAt
      s.deployments.push(d)
      store().save()
      sendJson(res, 200, full(d))
    },
    'deployments.getDeployments'(req, res) {
      const {ownerId} = scope(req)
      const q = req.url.searchParams
      const limit = q.has('limit') ? Number(q.get('limit')) : 20
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new VercelError(400, 'bad_request', 'Invalid request: `limit` should be an integer between 1 and 100.')
      const num = (name: string) => {
        if (!q.has(name)) return undefined
        const v = Number(q.get(name))
        if (!Number.isFinite(v)) throw new VercelError(400, 'bad_request', `Invalid request: \`${name}\` should be a timestamp in milliseconds.`)
        return v
      }
      const until = num('until')
      const since = num('since')
      const target = q.get('target')
      if (target !== null && target !== 'production' && target !== 'preview') throw new VercelError(400, 'bad_request', 'Invalid request: `target` should be "production" or "preview".')
      const state = q.get('state')
      const states = state ? state.split(',').map((x) => x.trim().toUpperCase()) : undefined
      const projectId = q.get('projectId')
      if (projectId) projectOf(ownerId, projectId)
      const all = store()
        .data.deployments.filter((d) => d.ownerId === ownerId && (!projectId || d.projectId === projectId || d.name === projectId))
        .filter((d) => target === null || (target === 'production' ? d.target === 'production' : d.target === null))
        // Every sandbox deployment is READY (no build queue).
        .filter(() => !states || states.includes('READY'))
        .filter((d) => (until === undefined || d.createdAt < until) && (since === undefined || d.createdAt > since))
        .sort((a, b) => b.createdAt - a.createdAt)
      const page = all.slice(0, limit)
      sendJson(res, 200, {deployments: page.map(listItem), pagination: {count: page.length, next: all.length > limit ? page.at(-1)!.createdAt : null, prev: page[0]?.createdAt ?? null}})
    },
    'deployments.getDeployment'(req, res, [id]) {
      const {ownerId} = scope(req)
      sendJson(res, 200, full(deploymentOf(ownerId, id)))
    },
    'projects.getProject'(req, res, [idOrName]) {
      const {ownerId} = scope(req)
      const p = projectOf(ownerId, idOrName)
      const deps = store().data.deployments.filter((d) => d.projectId === p.id)
      const current = deps.find((d) => d.id === p.productionDeploymentId)
      sendJson(res, 200, {
        id: p.id,
        name: p.name,
        accountId: p.accountId,
        createdAt: p.createdAt,
        updatedAt: p.updatedAt,
        framework: null,
        nodeVersion: '20.x',
        targets: current ? {production: summary(current)} : {},
        latestDeployments: deps.sort((a, b) => b.createdAt - a.createdAt).slice(0, 5).map(summary),
        lastRollbackTarget: p.lastRollbackTarget,
        lastAliasRequest: p.lastAliasRequest,
      })
    },
    'projects.requestPromote'(req, res, [projectId, deploymentId]) {
      const {p, d} = projectDeployment(req, projectId, deploymentId)
      if (d.target !== 'production') throw new VercelError(501, 'not_implemented', 'The sandbox does not model promoting a preview deployment (Vercel rebuilds it for production).')
      moveProduction(p, d, 'promote')
      p.autoAssignPaused = false
      created(res)
    },
    'projects.requestRollback'(req, res, [projectId, deploymentId]) {
      const {p, d} = projectDeployment(req, projectId, deploymentId)
      if (d.target !== 'production') throw new VercelError(400, 'bad_request', 'Only a previous production deployment can be rolled back to.')
      if (d.id === p.productionDeploymentId) throw new VercelError(409, 'conflict', `Deployment ${d.id} is already the current production deployment.`)
      const from = p.productionDeploymentId
      moveProduction(p, d, 'rollback')
      p.autoAssignPaused = true
      p.lastRollbackTarget = {fromDeploymentId: from, toDeploymentId: d.id, jobStatus: 'succeeded', requestedAt: Date.now()}
      created(res)
    },
  }

  /** A project and one of its deployments, both in the caller's scope. */
  function projectDeployment(req: SandboxRequest, projectId: string, deploymentId: string): {p: VercelProject; d: VercelDeployment} {
    const {ownerId} = scope(req)
    const p = projectOf(ownerId, projectId)
    const d = deploymentOf(ownerId, deploymentId)
    if (d.projectId !== p.id) throw new VercelError(400, 'bad_request', `Deployment ${d.id} does not belong to project ${p.name}.`)
    return {p, d}
  }
  /** Save, then 201 with an empty body (promote and rollback). */
  function created(res: ServerResponse): void {
    store().save()
    res.writeHead(201, {'content-length': 0})
    res.end()
  }

  const moveProduction = (p: VercelProject, d: VercelDeployment, type: 'promote' | 'rollback') => {
    p.lastAliasRequest = {fromDeploymentId: p.productionDeploymentId, toDeploymentId: d.id, jobStatus: 'succeeded', requestedAt: Date.now(), type}
    p.productionDeploymentId = d.id
    if (d.meta.__staged) d.meta = publicMeta(d)
    p.updatedAt = Date.now()
  }

  return {
    name: 'vercel',
    catalog: vercelCatalog,
    handlerNames: () => Object.keys(handlers),
    matches: (req) => req.path.startsWith(`${VERCEL_PREFIX}/`),
    operation: (req) => route(req)?.op ?? `${req.method} ${req.path.slice(VERCEL_PREFIX.length)}`,
    seed: () => {
      seeded = undefined
      store()
      files()
    },
    describe: () => Object.fromEntries(store().data.projects.map((p) => [p.name, {id: p.id, deployments: store().data.deployments.filter((d) => d.projectId === p.id).length, production: p.productionDeploymentId}])),
    handle(req, res) {
      const r = route(req)
      if (!r) return fail(res, 501, 'not_implemented', `The sandbox does not model ${req.method} ${req.path.slice(VERCEL_PREFIX.length)} (vercel).`)
      try {
        handlers[r.op](req, res, r.args)
      } catch (error) {
        if (error instanceof VercelError) return fail(res, error.status, error.code, error.message, error.extra)
        throw error
      }
    },
    renderError(_req, res, e) {
      if (e.kind === 'throttle') return fail(res, 429, 'rate_limited', 'Rate limit exceeded', {limit: {remaining: 0, reset: Math.ceil(Date.now() / 1000) + (e.retryAfterSeconds ?? 1), total: 100}}, {'retry-after': String(e.retryAfterSeconds ?? 1)})
      if (e.status === 501) return fail(res, 501, 'not_implemented', e.message)
      return fail(res, e.status, e.kind === 'server' ? 'internal_server_error' : 'bad_request', e.kind === 'server' ? 'An unexpected internal error occurred' : e.message)
    },
  }
}

/** The files of a project's production deployment (for the sandbox edge): path → content. */
export function productionFiles(state: VercelState, stored: VercelFiles, domain: string): Map<string, Buffer> | undefined {
  const p = state.projects.find((x) => x.domains.includes(domain))
  const d = p && state.deployments.find((x) => x.id === p.productionDeploymentId)
  if (!d) return undefined
  return new Map(d.files.map((f) => [f.file, Buffer.from(stored[d.ownerId]?.[f.sha] ?? '', 'base64')]))
}
