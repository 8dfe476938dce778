/** What the Vercel REST API emulation models (see ../../catalog.ts); anything else is refused 501. Add an operation with one line here. */
import type {ServiceCatalog} from '../../catalog.js'

export const vercelCatalog: ServiceCatalog = {
  title: 'Vercel REST API',
  protocol: 'rest-json',
  reference: 'https://vercel.com/docs/rest-api',
  commonParams: ['teamId', 'slug'],
  operations: {
    'deployments.uploadFile': {note: 'x-vercel-digest (or x-now-digest) required and checked against the body; x-now-size/Content-Length checked'},
    'deployments.createDeployment': {params: ['forceNew', 'skipAutoDetectionConfirmation'], body: ['name', 'project', 'target', 'files', 'meta', 'projectSettings'], note: 'prebuilt static files by sha only (inline data, gitSource, builds refused); READY at once'},
    'deployments.getDeployments': {params: ['projectId', 'target', 'limit', 'until', 'since', 'state'], note: 'newest first; pagination.next is the `until` of the next page'},
    'deployments.getDeployment': {params: ['withGitRepoInfo']},
    'projects.getProject': {note: 'targets.production is the deployment the production domains serve'},
    'projects.requestPromote': {note: 'production deployments only (promoting a preview, which rebuilds, is refused)'},
    'projects.requestRollback': {params: ['description'], note: 'pauses auto-assignment of production domains until a promote'},
  },
  refused: ['deployments.cancelDeployment', 'deployments.deleteDeployment', 'deployments.listDeploymentFiles', 'projects.createProject', 'aliases.assignAlias'],
}
