/**
 * The roles.yaml of the built-in sandbox environment, written to the workspace on first use.
 * It drifts from the seeded tenant on purpose, so `impress roles plan` has something to show:
 * a role to create, a permission to remove, a description to change, a member to add and one
 * to remove, three expired grants, and five users missing USER (in the tenant).
 */
import fs from 'node:fs'
import path from 'node:path'

export const SANDBOX_ROLES_YAML = `# yaml-language-server: $schema=https://impress.example/schema/roles.schema.json
# Auth0 roles of the IMPRESS sandbox tenant, kept as code (impress roles plan | apply).
default: USER
minAdmins: 1
maxRemovals: 10%
applications:
  - name: backend
    client: impress-backend
    rotate: true
    secret: impress/sandbox/auth0-backend
    roles: []
  - name: compute
    client: impress-compute
    api: https://compute.impress.example/api
    roles:
      - name: compute-reader
        description: Reads models and results
        permissions: [read:models]
        members:
          - user030@impress.example
          - user031@impress.example
          - user032@impress.example
      - name: compute-writer
        description: Runs and edits models
        permissions: [read:models, read:results, write:models]
        members:
          - carol@impress.example
          - {email: user033@impress.example, expires: 2025-09-30}
  - name: etl
    client: impress-etl
    api: https://etl.impress.example/api
    roles:
      - name: etl-operator
        description: Runs imports
        permissions: [read:imports, write:imports]
        members:
          - dave@impress.example
          - {email: eve@impress.example, expires: 2025-10-31}
          - user040@impress.example
  - name: message
    client: impress-message
    api: https://message.impress.example/api
    roles:
      - name: message-reader
        description: Reads messages
        permissions: [read:messages]
        members: [user050@impress.example, user051@impress.example]
      - name: message-writer
        description: Sends and reads messages
        permissions: [read:messages, write:messages]
        members: [user052@impress.example]
  - name: pdf
    client: impress-pdf
    api: https://pdf.impress.example/api
    roles:
      - name: pdf-reader
        description: Reads generated documents
        permissions: [read:documents]
        members: [user060@impress.example, user061@impress.example, user062@impress.example]
      - name: pdf-writer
        description: Generates documents
        permissions: [read:documents, write:documents]
        members: [user063@impress.example]
  - name: portal
    client: impress-portal
    api: https://portal.impress.example/api
    roles:
      - name: USER
        description: Every IMPRESS user
        permissions: [read:profile]
      - name: platform-admin
        description: Administers the IMPRESS platform
        privileged: true
        permissions: [read:profile, write:profile]
        members:
          - {email: alice@impress.example, expires: 2027-06-30}
          - {email: bob@impress.example, expires: 2027-06-30}
  - name: request
    client: impress-request
    api: https://request.impress.example/api
    roles:
      - name: request-admin
        description: Administers requests
        privileged: true
        permissions: [read:positions, read:requests, write:orders, write:requests]
        members:
          - {email: alice@impress.example, expires: 2027-06-30}
          - {email: dave@impress.example, expires: 2027-03-31}
          - {email: user007@impress.example, expires: 2026-12-31}
      - name: request-reader
        description: Reads requests and positions
        permissions: [read:positions, read:requests]
        members:
          - user020@impress.example
          - user021@impress.example
          - user022@impress.example
          - user023@impress.example
          - {email: user024@impress.example, expires: 2025-06-30}
      - name: request-writer
        description: Creates requests and orders
        permissions: [read:positions, read:requests, write:orders, write:requests]
        members:
          - user010@impress.example
          - user011@impress.example
          - user012@impress.example
          - user013@impress.example
          - user014@impress.example
          - user016@impress.example
`

/** Write the sandbox roles.yaml when it does not exist yet; true when written. */
export function ensureSandboxRolesFile(file: string): boolean {
  if (fs.existsSync(file)) return false
  fs.mkdirSync(path.dirname(file), {recursive: true})
  fs.writeFileSync(file, SANDBOX_ROLES_YAML)
  return true
}
