/** The environment variables with which SDKs and CLIs that are not ours reach the sandbox. */
import {SANDBOX_REGION} from '../config/constants.js'

export function sandboxEnvironment(url: string): Record<string, string> {
  const hostPort = new URL(url).host
  return {
    IMPRESS_SANDBOX_URL: url,
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'sandbox',
    AWS_SECRET_ACCESS_KEY: 'sandbox',
    AWS_REGION: SANDBOX_REGION,
    AWS_DEFAULT_REGION: SANDBOX_REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    FIRESTORE_EMULATOR_HOST: hostPort,
    FIREBASE_DATABASE_EMULATOR_HOST: hostPort,
    GCLOUD_PROJECT: 'impress-sandbox',
  }
}
