/** What the Cloud Storage JSON API emulation models (see ../../catalog.ts); anything else is refused 501. Add an operation with one line here. */
import type {ServiceCatalog} from '../../catalog.js'

export const gcsCatalog: ServiceCatalog = {
  title: 'Cloud Storage JSON API',
  protocol: 'rest',
  reference: 'https://cloud.google.com/storage/docs/json_api/v1',
  operations: {
    'buckets.get': {params: ['projection']},
    'objects.list': {params: ['prefix', 'delimiter', 'pageToken', 'maxResults', 'projection'], note: 'maxResults capped at 100 so pagination is exercised'},
    'objects.get': {params: ['alt', 'generation', 'projection'], headers: [], note: 'alt=media answers the bytes with x-goog-hash (crc32c, md5); Range refused'},
    'objects.insert': {params: ['uploadType', 'name', 'upload_id', 'projection'], note: 'uploadType media, multipart and resumable (Content-Range chunks, 308 Resume Incomplete)'},
    'objects.delete': {},
  },
  refused: ['buckets.list', 'buckets.insert', 'buckets.delete', 'buckets.patch', 'objects.patch', 'objects.update', 'objects.copy', 'objects.rewrite', 'objects.compose'],
  commonParams: ['prettyPrint', 'userProject', 'fields', 'alt'],
}
