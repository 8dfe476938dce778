/** What the Cloudflare API v4 emulation models (see ../../catalog.ts); anything else is refused 501. Add an operation with one line here. */
import type {ServiceCatalog} from '../../catalog.js'

export const cloudflareCatalog: ServiceCatalog = {
  title: 'Cloudflare API v4',
  protocol: 'rest-json',
  reference: 'https://developers.cloudflare.com/api/',
  operations: {
    'accounts.members.list': {params: ['page', 'per_page', 'status'], note: 'no ordering (order/direction refused)'},
  },
  refused: ['accounts.list', 'zones.list', 'user.get'],
}
