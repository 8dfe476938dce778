/** Company structure: who is in charge of what, from the configuration's `owners:` section. */
import type {ClaimDefinition} from '../types.js'

export const companyClaims: ClaimDefinition[] = [
  {
    id: 'company.owners',
    section: 'Company structure',
    sentence: () => 'Every area has a named owner and a deputy who are current members of the team.',
    rerun: 'impress report security',
    async check(ports) {
      const {owners, members} = await ports.owners()
      if (owners.length === 0) return {status: 'fails', detail: 'no owners: section in the configuration'}
      const who = (email: string) => members?.find((m) => m.email.toLowerCase() === email.toLowerCase())
      const facts = owners.map((o) => `${o.area}: ${o.name ?? who(o.owner)?.name ?? o.owner} <${o.owner}>${o.deputy ? `, deputy ${who(o.deputy)?.name ?? o.deputy} <${o.deputy}>` : ', no deputy'}`)
      const noDeputy = owners.filter((o) => !o.deputy).map((o) => `${o.area} has no deputy`)
      if (!members) return {status: noDeputy.length > 0 ? 'fails' : 'unknown', detail: noDeputy.length > 0 ? noDeputy.join('; ') : 'no roster to tell whether the owners are on the team', facts}
      const problems = [
        ...noDeputy,
        ...owners.flatMap((o) =>
          [o.owner, ...(o.deputy ? [o.deputy] : [])].flatMap((email) => {
            const m = who(email)
            return !m ? [`${email} (${o.area}) is not on the roster`] : m.status === 'left' ? [`${m.name} <${email}> (${o.area}) has left the company`] : []
          }),
        ),
      ]
      return problems.length === 0 ? {status: 'holds', detail: `${owners.length} area(s), each with an owner and a deputy on the team`, facts} : {status: 'fails', detail: problems.join('; '), facts}
    },
  },
]
