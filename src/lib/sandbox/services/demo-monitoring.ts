/**
 * The demo platform's monitoring, seeded by three services (CloudWatch alarms, CloudWatch Logs
 * metric filters, the SNS topic): three modules are monitored as `impress monitor` would set
 * them up, two are not (so `impress monitor plan --exit-code` finds drift on a fresh sandbox).
 */
import {DEFAULT_MONITORING} from '../../monitor/desired.js'

export const DEMO_MONITORED = ['compute', 'etl', 'pdf']
export const DEMO_TOPIC_ARN = `arn:aws:sns:eu-west-1:000000000000:${DEFAULT_MONITORING.topic}`
/** The demo support address (@impress.example: its subscription is confirmed at once). */
export const DEMO_SUPPORT_EMAIL = 'support@impress.example'
