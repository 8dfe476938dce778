import fs from 'node:fs'
import {Flags} from '@oclif/core'
import {reviewCsv, runAccessReview, type AccessReview} from '../../lib/access/review.js'
import {readRosterForAccess} from '../../lib/access/wiring.js'
import {ImpressCommand} from '../../lib/cli/base-command.js'
import {complianceWiring} from '../../lib/compliance/sources.js'
import {SERVICE_LABELS} from '../../lib/compliance/types.js'
import {OperationError} from '../../lib/errors.js'
import {renderTable} from '../../lib/ui/table.js'

export default class AccessReviewCommand extends ImpressCommand<typeof AccessReviewCommand> {
  static override summary = 'Who has access to what: every active account on AWS IAM, GitHub, Cloudflare, Google Workspace and Auth0 staff, with its owner.'
  static override description = 'Read from the live services, not from the roster; owners are resolved through the roster (member, bot, or nobody). Exit 1 when a service could not be read.'
  static override examples = ['<%= config.bin %> access review', '<%= config.bin %> access review --csv access-review.csv', '<%= config.bin %> access review --json']
  static override flags = {csv: Flags.string({description: 'Also write the review as CSV to this file.'})}

  async run(): Promise<AccessReview> {
    const {loaded} = readRosterForAccess(this.ctx)
    const {sources} = await complianceWiring(this.ctx)
    const review = await runAccessReview(loaded, {sources})
    this.io.out(renderTable(['owner', 'service', 'account', '2FA', 'notes'], review.rows.map((r) => [r.owner ? `${r.owner}${r.ownerStatus === 'left' ? ' (LEFT)' : ''}` : 'NOBODY', SERVICE_LABELS[r.service], r.account, r.mfa === null ? '?' : String(r.mfa), r.notes.join('; ')])))
    for (const s of review.services) if (s.status !== 'ok') this.io.warn(`${SERVICE_LABELS[s.service]}: ${s.status}${s.error ? ` (${s.error})` : ''}`)
    if (this.flags.csv) {
      fs.writeFileSync(this.flags.csv, reviewCsv(review))
      this.io.info(`Wrote ${review.rows.length} row(s) to ${this.flags.csv}.`)
    }
    const failed = review.services.filter((s) => s.status === 'error')
    if (failed.length > 0) this.concludeWith(new OperationError(`${failed.map((s) => SERVICE_LABELS[s.service]).join(', ')} could not be read: the review is incomplete.`, {hint: 'Check the credentials and the network, then run the review again.'}))
    return review
  }
}
