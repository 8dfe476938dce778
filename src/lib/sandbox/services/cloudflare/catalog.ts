/** What the Cloudflare API v4 emulation models (see ../../catalog.ts); anything else is refused 501. Add an operation with one line here. */
import type {ServiceCatalog} from '../../catalog.js'

export const cloudflareCatalog: ServiceCatalog = {
  title: 'Cloudflare API v4',
  protocol: 'rest-json',
  reference: 'https://developers.cloudflare.com/api/',
  operations: {
    'accounts.members.list': {params: ['page', 'per_page', 'status'], note: 'no ordering (order/direction refused)'},
    'accounts.members.delete': {note: 'impress access revoke'},
    'zones.list': {params: ['page', 'per_page', 'name']},
    'zones.get': {},
    'zones.settings.get': {note: 'always_use_https, ssl, min_tls_version, security_header only'},
    'zones.settings.edit': {note: 'always_use_https, ssl, min_tls_version, security_header only'},
    graphql: {note: 'viewer.zones.firewallEventsAdaptive only (other fields answered with a GraphQL error)'},
  },
  refused: ['accounts.list', 'user.get'],
}
