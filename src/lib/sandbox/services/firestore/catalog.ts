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
  },
  refused: ['documents.patch', 'documents.delete', 'documents.createDocument', 'runAggregationQuery', 'partitionQuery', 'listen', 'write'],
  commonParams: ['$alt', 'alt'],
}
