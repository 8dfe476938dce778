/** Names of the built-in sandbox environment, kept apart from sandbox-default.ts so that reading them does not load the configuration schema (zod). */
export const SANDBOX_ENV = 'sandbox'
export const SANDBOX_REGION = 'eu-west-1'
export const LAMBDA_MODULES = ['etl', 'request', 'compute', 'message', 'pdf'] as const
/** The sandbox's audit signing key (a Secrets Manager secret) and anchor bucket (S3), the defaults of a sandbox environment. */
export const SANDBOX_AUDIT_KEY = 'impress/audit/hmac'
export const SANDBOX_AUDIT_BUCKET = 'impress-audit-anchors'
