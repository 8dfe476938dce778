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
    'orgs/check-membership-for-user': {},
    'orgs/remove-member': {note: 'impress access revoke'},
    'orgs/remove-outside-collaborator': {note: 'impress access revoke'},
    // Repositories' git data and Pages (repos.ts; the frontend deploy branch)
    'repos/get': {},
    'repos/list-branches': {params: PAGED},
    'repos/get-branch': {},
    'repos/list-commits': {params: ['sha', ...PAGED], note: 'sha only (path, author, since/until refused)'},
    'repos/get-pages': {},
    'repos/update-information-about-pages-site': {},
    'git/create-blob': {},
    'git/get-blob': {},
    'git/create-tree': {},
    'git/get-tree': {params: ['recursive']},
    'git/create-commit': {},
    'git/get-commit': {},
    'git/get-ref': {},
    'git/create-ref': {},
    'git/update-ref': {note: 'force:false updates must fast-forward (422 otherwise)'},
    // git's "dumb" HTTP protocol, read-only (git clone of the deploy branch)
    'git-http/info-refs': {params: ['service'], note: 'dumb protocol only: smart (service=git-upload-pack) answered as dumb, pushes refused'},
    'git-http/head': {},
    'git-http/object': {},
  },
  refused: ['orgs/get', 'orgs/list-for-authenticated-user', 'repos/list-for-org', 'teams/list', 'repos/get-content', 'git/list-matching-refs'],
}
