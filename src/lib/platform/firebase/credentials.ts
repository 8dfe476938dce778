/**
 * Access tokens for the Realtime Database REST API. Against the sandbox: a fixed injected
 * token ("owner", as the Firebase emulators accept), so no client ever asks a metadata server
 * or a Google token endpoint. In the cloud: the configured service-account file (or the
 * application default credentials), through firebase-admin's credential, cached until shortly
 * before it expires.
 */
export const SANDBOX_TOKEN = 'owner'

export function accessTokenProvider(target: {sandbox: boolean; credentialsFile?: string}): () => Promise<string> {
  if (target.sandbox) return async () => SANDBOX_TOKEN
  let cached: {token: string; expires: number} | undefined
  let credential: {getAccessToken(): Promise<{access_token: string; expires_in: number}>} | undefined
  return async () => {
    if (cached && cached.expires > Date.now() + 60_000) return cached.token
    if (!credential) {
      const {cert, applicationDefault} = await import('firebase-admin/app')
      credential = target.credentialsFile ? cert(target.credentialsFile) : applicationDefault()
    }
    const t = await credential.getAccessToken()
    cached = {token: t.access_token, expires: Date.now() + t.expires_in * 1000}
    return t.access_token
  }
}
