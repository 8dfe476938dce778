/** What the Google Directory emulation models (see ../../catalog.ts); anything else is refused 501. Add an operation with one line here. */
import type {ServiceCatalog} from '../../catalog.js'

export const googleCatalog: ServiceCatalog = {
  title: 'Google Workspace Admin SDK Directory API',
  protocol: 'rest-json',
  reference: 'https://developers.google.com/admin-sdk/directory/reference/rest',
  operations: {
    'directory.users.list': {params: ['customer', 'domain', 'maxResults', 'pageToken', 'projection', 'orderBy', 'sortOrder'], note: 'orderBy email only, projection basic or full; query, fields, showDeleted refused'},
    'directory.users.get': {params: ['projection', 'viewType'], note: 'by primary email or id (impress access revoke reads the user first)'},
    'directory.users.update': {note: 'suspended only (impress access revoke suspends, never deletes); other fields refused by the handler'},
    'directory.users.patch': {note: 'suspended only; other fields refused by the handler'},
  },
  refused: ['directory.groups.list', 'directory.members.list'],
  commonParams: ['prettyPrint'],
}
