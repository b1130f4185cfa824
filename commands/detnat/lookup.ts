import {Command, Flags} from '@oclif/core'
import {fail} from '../../src/cli/errors.js'
import {EXIT, UsageError} from '../../src/io/errors.js'
import {canonicalIp} from '../../src/io/net.js'
import {isoUtc, parseIso, systemZone, toZone} from '../../src/io/time.js'
import {describeRule, detNatInsideAll, detNatOutsideAll, loadDetNat, type DetNatRule} from '../../src/nat/detnat.js'

export interface DetNatMatchOut {
  insideIp: string
  publicIp: string
  firstPort: number
  lastPort: number
  rule: string
  ruleSource: string
  validFrom: string | null
  validTo: string | null
}

export interface DetNatLookupResult {
  query: {publicIp: string | null; port: number | null; insideIp: string | null; time: string | null; timeZone: string | null}
  status: 'found' | 'not-found' | 'ambiguous'
  reason: string
  matches: DetNatMatchOut[]
}

function matchOut(m: {insideIp: string; publicIp: string; rule: DetNatRule; portRange: {first: number; last: number}}): DetNatMatchOut {
  const d = describeRule(m.rule)
  return {insideIp: m.insideIp, publicIp: m.publicIp, firstPort: m.portRange.first, lastPort: m.portRange.last, rule: m.rule.spec, ruleSource: m.rule.source, validFrom: d.from, validTo: d.to}
}

export default class DetnatLookup extends Command {
  static override summary = 'Deterministic NAT (RFC 7422): the inside address behind a public IP:port, or the public IP and port block of an inside address'
  static override description = `Computes the mapping from the deterministic NAT configuration given with --det-nat (no logs needed):
  INSIDE=PUBLIC,ports=LO-HI,block=N[,order=sequential|round-robin][,from=ISO][,to=ISO]
or the path of a JSON file holding a list of such rules with their validity periods. Repeat --det-nat for
configurations that changed over time, and give --time so the rule live at that moment is used.

Exit codes: 0 one answer; 3 no rule maps it, or rules live at that time disagree (all are listed); 2 usage error.`
  static override examples = [
    '<%= config.bin %> detnat lookup --det-nat 100.64.0.0/22=203.0.113.0/27,ports=1024-65535,block=2000 --public 203.0.113.1 --port 3023',
    '<%= config.bin %> detnat lookup --det-nat /etc/natrace/detnat.json --inside 100.64.0.32 --time 2025-03-14T10:00:00Z --json',
  ]
  static override enableJsonFlag = true
  static override flags = {
    'det-nat': Flags.string({description: 'deterministic NAT rule or JSON config file (repeatable)', multiple: true, required: true}),
    public: Flags.string({description: 'public (post-NAT) IPv4 address', dependsOn: ['port'], exclusive: ['inside']}),
    port: Flags.integer({description: 'public port', min: 0, max: 65535, dependsOn: ['public']}),
    inside: Flags.string({description: 'inside (subscriber) IPv4 address', exclusive: ['public', 'port']}),
    time: Flags.string({description: 'the instant (ISO-8601; without a zone it is read in --tz, else the system zone); selects rules by validity period'}),
    tz: Flags.string({description: 'zone for a --time without one'}),
  }

  async run(): Promise<DetNatLookupResult | undefined> {
    try {
      const {flags} = await this.parse(DetnatLookup)
      if (!flags.inside && !flags.public) throw new UsageError('give --public IP --port N, or --inside IP')
      for (const [flag, v] of [['--public', flags.public], ['--inside', flags.inside]] as const) {
        if (v !== undefined && !/^\d{1,3}(?:\.\d{1,3}){3}$/.test(canonicalIp(v) ?? '')) throw new UsageError(`${flag} "${v}" is not an IPv4 address (deterministic NAT is IPv4 only)`)
      }
      const rules = loadDetNat(flags['det-nat'])
      let ms: number | null = null
      let zone: string | null = null
      if (flags.time) {
        zone = flags.tz ?? systemZone()
        let z
        try {
          z = toZone(zone)
        } catch (e) {
          throw new UsageError(`--tz: ${(e as Error).message}`)
        }
        const r = parseIso(flags.time, z)
        if (!r) throw new UsageError(`--time "${flags.time}" is not an ISO-8601 time (e.g. 2025-03-14T10:00:00Z)`)
        ms = r.ms
        if (r.stated) zone = null
      }
      const query = {publicIp: flags.public ?? null, port: flags.port ?? null, insideIp: flags.inside ?? null, time: ms === null ? null : isoUtc(ms), timeZone: zone}
      const hits = flags.inside ? detNatOutsideAll(rules, flags.inside, ms) : detNatInsideAll(rules, flags.public!, flags.port!, ms)
      const matches = hits.map(matchOut)
      const distinct = new Set(matches.map((m) => `${m.insideIp} ${m.publicIp} ${m.firstPort}`))
      const what = flags.inside ? `inside ${flags.inside}` : `${flags.public}:${flags.port}`
      const when = ms === null ? '' : ` at ${isoUtc(ms)}`
      let status: DetNatLookupResult['status']
      let reason: string
      if (matches.length === 0) {
        status = 'not-found'
        reason = `no deterministic NAT rule${ms === null ? '' : ' live then'} maps ${what}${flags.inside ? '' : ' (outside every rule\'s public range and port blocks)'}`
      } else if (distinct.size > 1) {
        status = 'ambiguous'
        reason = `${distinct.size} rules${ms === null ? ' (no --time given)' : ' live then'} map ${what} differently; give --time or fix the validity periods`
      } else {
        status = 'found'
        reason = `computed from rule ${matches[0]!.rule}`
      }
      const result: DetNatLookupResult = {query, status, reason, matches: status === 'found' ? [matches[0]!] : matches}
      if (!this.jsonEnabled()) {
        const tzNote = zone ? ` (time read in ${zone})` : ''
        if (status === 'found') {
          const m = matches[0]!
          this.log(flags.inside ? `${what}${when} -> ${m.publicIp} ports ${m.firstPort}-${m.lastPort}${tzNote}` : `${what}${when} -> inside ${m.insideIp}${tzNote}`)
          this.log(`  port block ${m.firstPort}-${m.lastPort} of ${m.publicIp}; rule ${m.rule} (${m.ruleSource}${m.validFrom || m.validTo ? `, valid ${m.validFrom ?? '…'} to ${m.validTo ?? '…'}` : ''})`)
        } else {
          this.log(`${what}${when}: ${status}: ${reason}${tzNote}`)
          for (const m of matches) this.log(`  candidate inside ${m.insideIp} <-> ${m.publicIp} ports ${m.firstPort}-${m.lastPort}; rule ${m.rule} (${m.ruleSource})`)
        }
      }
      if (status !== 'found') process.exitCode = EXIT.unresolved
      return result
    } catch (err) {
      return fail(this, err)
    }
  }
}
