/** What the Firestore v1 REST emulation models (see ../../catalog.ts); anything else is refused 501. Add an operation with one line here. */
import type {ServiceCatalog} from '../../catalog.js'

export const firestoreCatalog: ServiceCatalog = {
  title: 'Cloud Firestore v1 REST',
  protocol: 'rest',
  reference: 'https://cloud.google.com/firestore/docs/reference/rest',
  operations: {
    getDocument: {params: ['readTime', 'transaction'], note: 'mask refused'},
    listDocuments: {params: ['pageSize', 'pageToken', 'showMissing', 'readTime'], note: 'pageSize at most 300; orderBy and mask refused'},
    listCollectionIds: {body: ['pageSize', 'pageToken', 'readTime']},
    runQuery: {body: ['structuredQuery', 'readTime', 'newTransaction', 'transaction'], note: 'one collection, order by __name__, cursors, offset, limit; where and select refused'},
    batchGet: {body: ['documents', 'readTime', 'newTransaction', 'transaction'], note: 'mask refused'},
    commit: {body: ['writes', 'transaction'], note: 'REQUEST_TIME transform only; transactions not isolated'},
    batchWrite: {body: ['writes', 'labels'], note: 'labels accepted (metadata only)'},
    beginTransaction: {body: ['options']},
    rollback: {body: ['transaction']},
    runAggregationQuery: {body: ['structuredAggregationQuery', 'readTime', 'newTransaction', 'transaction'], note: 'count() (upTo) over one collection; where, sum and avg refused'},
    exportDocuments: {body: ['outputUriPrefix', 'collectionIds', 'namespaceIds'], note: 'long-running; one NDJSON file per collection id into the sandbox Cloud Storage bucket; snapshotTime refused'},
    importDocuments: {body: ['inputUriPrefix', 'collectionIds', 'namespaceIds'], note: 'long-running; an export the sandbox wrote; documents replaced, others kept'},
    'operations.get': {note: 'completes the operation once its simulated duration has passed'},
    'operations.list': {params: ['pageSize', 'pageToken'], note: 'at most 20 per page; filter refused'},
  },
  refused: ['documents.patch', 'documents.delete', 'documents.createDocument', 'partitionQuery', 'listen', 'write', 'operations.cancel', 'operations.delete', 'bulkDeleteDocuments'],
  commonParams: ['$alt', 'alt'],
}
