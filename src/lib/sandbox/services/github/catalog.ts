/** What the GitHub REST emulation models (see ../../catalog.ts); anything else is refused 501. Add an operation with one line here. */
import type {ServiceCatalog} from '../../catalog.js'

const PAGED = ['per_page', 'page']

export const githubCatalog: ServiceCatalog = {
  title: 'GitHub REST API',
  protocol: 'rest-json',
  reference: 'https://docs.github.com/rest',
  operations: {
    'orgs/list-members': {params: ['filter', 'role', ...PAGED]},
    'orgs/list-outside-collaborators': {params: ['filter', ...PAGED]},
    'users/list-public-keys-for-user': {params: PAGED},
    'users/get-authenticated': {},
  },
  refused: ['orgs/get', 'orgs/list-for-authenticated-user', 'repos/list-for-org', 'teams/list'],
}
