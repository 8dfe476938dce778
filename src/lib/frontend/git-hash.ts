/**
 * Git's object ids: SHA-1 of `<type> <length>\0<content>`. A blob's id depends only on the
 * file's bytes, so a local file and the deployed copy compare by id without a download.
 */
import {createHash} from 'node:crypto'

export function gitObjectSha(type: 'blob' | 'tree' | 'commit', content: Buffer): string {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex')
}

export function gitBlobSha(content: Buffer): string {
  return gitObjectSha('blob', content)
}
