/** What the Auth0 Management API v2 emulation models (see ../../catalog.ts); anything else is refused 501. Add an operation with one line here. */
import type {ServiceCatalog} from '../../catalog.js'

const PAGED = ['page', 'per_page', 'include_totals']

export const auth0Catalog: ServiceCatalog = {
  title: 'Auth0 Management API v2',
  protocol: 'rest-json',
  reference: 'https://auth0.com/docs/api/management/v2',
  operations: {
    'POST /oauth/token': {note: 'client_credentials grant only'},
    'GET /roles': {params: ['name_filter', ...PAGED]},
    'POST /roles': {body: ['name', 'description']},
    'GET /roles/{id}': {},
    'PATCH /roles/{id}': {body: ['name', 'description']},
    'DELETE /roles/{id}': {},
    'GET /roles/{id}/permissions': {params: PAGED},
    'POST /roles/{id}/permissions': {body: ['permissions']},
    'DELETE /roles/{id}/permissions': {body: ['permissions']},
    'GET /roles/{id}/users': {params: [...PAGED, 'take', 'from']},
    'POST /roles/{id}/users': {body: ['users']},
    'GET /users': {params: ['q', 'search_engine', 'connection', 'sort', 'fields', 'include_fields', ...PAGED], note: 'q: a subset of the v3 query syntax (query.ts)'},
    'GET /users/{id}': {params: ['fields', 'include_fields']},
    'PATCH /users/{id}': {body: ['blocked'], note: 'blocked only (impress access revoke)'},
    'GET /users/{id}/roles': {params: PAGED},
    'POST /users/{id}/roles': {body: ['roles']},
    'DELETE /users/{id}/roles': {body: ['roles']},
    'GET /users/{id}/authentication-methods': {params: PAGED},
    'GET /clients': {params: ['fields', 'include_fields', ...PAGED]},
    'GET /clients/{id}': {params: ['fields', 'include_fields']},
    'POST /clients/{id}/rotate-secret': {},
    'GET /resource-servers': {params: PAGED},
    'GET /resource-servers/{id}': {},
  },
  refused: ['DELETE /users/{id}', 'POST /users', 'GET /logs', 'GET /connections', 'GET /organizations'],
}
