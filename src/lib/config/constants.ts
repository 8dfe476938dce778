/** Names of the built-in sandbox environment, kept apart from sandbox-default.ts so that reading them does not load the configuration schema (zod). */
export const SANDBOX_ENV = 'sandbox'
export const SANDBOX_REGION = 'eu-west-1'
export const LAMBDA_MODULES = ['etl', 'request', 'compute', 'message', 'pdf'] as const
