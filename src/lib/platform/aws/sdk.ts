/**
 * Loading the AWS SDK v3 packages. They ship CommonJS (dist-cjs), and `import()` of a CommonJS
 * module makes Node scan its (large) source for named exports first; `require()` does not:
 * ≈60 ms less CPU for @aws-sdk/client-lambda alone (measured on Node 20), on every deploy.
 * Still lazy: a package loads on the first call for it, so --help never pays for one.
 */
import {requireCjs} from '../../require-cjs.js'

interface AwsSdkPackages {
  '@aws-sdk/client-cloudwatch': typeof import('@aws-sdk/client-cloudwatch')
  '@aws-sdk/client-cloudwatch-logs': typeof import('@aws-sdk/client-cloudwatch-logs')
  '@aws-sdk/client-sns': typeof import('@aws-sdk/client-sns')
  '@aws-sdk/client-iam': typeof import('@aws-sdk/client-iam')
  '@aws-sdk/client-lambda': typeof import('@aws-sdk/client-lambda')
  '@aws-sdk/client-rds': typeof import('@aws-sdk/client-rds')
  '@aws-sdk/client-s3': typeof import('@aws-sdk/client-s3')
  '@aws-sdk/client-secrets-manager': typeof import('@aws-sdk/client-secrets-manager')
  '@aws-sdk/client-sts': typeof import('@aws-sdk/client-sts')
  '@aws-sdk/credential-providers': typeof import('@aws-sdk/credential-providers')
  '@aws-sdk/lib-storage': typeof import('@aws-sdk/lib-storage')
}

export function awsSdk<N extends keyof AwsSdkPackages>(name: N): AwsSdkPackages[N] {
  return requireCjs(name) as AwsSdkPackages[N]
}
