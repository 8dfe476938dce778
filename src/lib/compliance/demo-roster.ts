/**
 * The demo roster of the sandbox platform (team.yaml), written to the workspace on first use.
 * It lines up with the seeded services and their deliberate violations; the exception dates
 * are relative to today so one exception is always current and one always expired.
 */
import fs from 'node:fs'
import path from 'node:path'

export function demoRosterYaml(today = new Date()): string {
  const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10)
  return `# IMPRESS team roster (demo, sandbox). Schema: docs/compliance.md
members:
  - name: Alice Martin
    email: alice@impress.example
    role: admin
    accounts: {github: alice-imp, aws: alice, cloudflare: alice@impress.example, google: alice@impress.example, auth0: alice@impress.example}
  - name: Bob Chen
    email: bob@impress.example
    role: developer
    accounts: {github: bob-imp, google: bob@impress.example, auth0: bob@impress.example}
  - name: Carol Diaz
    email: carol@impress.example
    role: developer
    accounts: {github: carol-imp, cloudflare: carol@impress.example, google: carol@impress.example, auth0: carol@impress.example}
  - name: Dave Okafor
    email: dave@impress.example
    role: ops
    accounts: {github: dave-imp, aws: dave, cloudflare: dave@impress.example, google: dave@impress.example, auth0: dave@impress.example}
  - name: Eve Laurent
    email: eve@impress.example
    role: developer
    status: left
    left: ${day(-45)}
    accounts: {github: eve-imp, aws: eve, google: eve@impress.example, auth0: eve@impress.example}
serviceAccounts:
  - name: deploy-bot
    owner: dave@impress.example
    purpose: CI deployments
    accounts: {github: impress-deploy-bot, aws: ci-deploy}
exceptions:
  - rule: mfa-disabled
    service: cloudflare
    account: dave@impress.example
    reason: Security key lost; replacement on order
    expires: ${day(60)}
    approvedBy: alice@impress.example
  - rule: mfa-disabled
    service: aws
    account: dave
    reason: MFA device re-enrolment during the office move
    expires: ${day(-10)}
    approvedBy: alice@impress.example
policy:
  keys:
    types: {rsa: 3072}
    perDeveloper: 1
`
}

/** Write the demo roster at `file` unless a file is there already. */
export function ensureDemoRoster(file: string): boolean {
  if (fs.existsSync(file)) return false
  fs.mkdirSync(path.dirname(file), {recursive: true})
  fs.writeFileSync(file, demoRosterYaml())
  return true
}
