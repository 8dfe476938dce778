/** What the Realtime Database REST emulation models (see ../../catalog.ts); anything else is refused 501. */
import type {ServiceCatalog} from '../../catalog.js'

export const rtdbCatalog: ServiceCatalog = {
  title: 'Firebase Realtime Database REST',
  protocol: 'rest',
  reference: 'https://firebase.google.com/docs/reference/rest/database',
  operations: {
    Get: {params: ['shallow', 'orderBy', 'limitToFirst', 'limitToLast', 'startAt', 'endAt', 'equalTo'], note: 'orderBy="$key" only (others: 400 index not defined)'},
    Put: {note: 'JSON arrays refused (reads would answer them as objects)'},
    Patch: {note: 'multi-path updates'},
    Post: {},
    Delete: {},
    Settings: {note: 'sandbox-only: /.settings/sandbox.json (limits)'},
  },
  refused: ['format=export', 'download', 'timeout', 'writeSizeLimit', 'X-Firebase-ETag / if-match (conditional writes)', 'EventSource streaming'],
  commonParams: ['ns', 'auth', 'access_token', 'print'],
  guardedHeaders: /^x-firebase-/,
}
