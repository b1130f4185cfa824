import {Command, Flags} from '@oclif/core'
import {fail} from '../../src/cli/errors.js'
import {UsageError} from '../../src/io/errors.js'
import {parseIso, toZone} from '../../src/io/time.js'
import {describeRule, detNatTable, loadDetNat} from '../../src/nat/detnat.js'

/** The shape `--json` writes (streamed, not built in memory). */
export interface DetNatTableResult {
  rules: (ReturnType<typeof describeRule> & {spec: string; source: string; rows: {insideIp: string; publicIp: string; firstPort: number; lastPort: number}[]})[]
}

export default class DetnatTable extends Command {
  static override summary = 'Deterministic NAT (RFC 7422): print the whole mapping, inside address by inside address'
  static override description = `Prints, for every rule given with --det-nat, which public address and port block each inside address
owns. Compare a few rows with the CGN's own table once, to be sure the rule describes the device (order,
excluded addresses, first port). --time keeps only the rules live at that instant (ISO-8601 with a zone).`
  static override examples = [
    '<%= config.bin %> detnat table --det-nat 100.64.0.0/22=203.0.113.0/27,ports=1024-65535,block=2000',
    '<%= config.bin %> detnat table --det-nat detnat.json --json',
  ]
  static override enableJsonFlag = true
  static override flags = {
    'det-nat': Flags.string({description: 'deterministic NAT rule or JSON config file (repeatable)', multiple: true, required: true}),
    time: Flags.string({description: 'only the rules live at this instant (ISO-8601 with Z or an offset)'}),
  }

  async run(): Promise<undefined> {
    try {
      const {flags} = await this.parse(DetnatTable)
      let rules = loadDetNat(flags['det-nat'])
      if (flags.time) {
        const r = parseIso(flags.time, toZone('UTC'))
        if (!r || !r.stated) throw new UsageError(`--time "${flags.time}": give an ISO-8601 time with Z or an offset (e.g. 2025-03-14T10:00:00Z)`)
        rules = rules.filter((x) => (x.from === null || r.ms >= x.from) && (x.to === null || r.ms < x.to))
      }
      const json = this.jsonEnabled()
      // streamed (a /10 inside range is 4 million rows): text or JSON, written as it is computed
      let buf = ''
      const put = (t: string) => {
        buf += t
        if (buf.length > 64_000) {
          process.stdout.write(buf)
          buf = ''
        }
      }
      if (json) put('{\n  "rules": [')
      rules.forEach((rule, n) => {
        const d = describeRule(rule)
        if (json) {
          const head = JSON.stringify({spec: rule.spec, source: rule.source, ...d})
          put(`${n ? ',' : ''}\n    ${head.slice(0, -1)},\n      "rows": [`)
          let first = true
          for (const row of detNatTable(rule)) {
            put(`${first ? '' : ','}\n        {"insideIp":"${row.insideIp}","publicIp":"${row.publicIp}","firstPort":${row.portRange.first},"lastPort":${row.portRange.last}}`)
            first = false
          }
          put('\n      ]}')
          return
        }
        const valid = d.from || d.to ? `valid ${d.from ?? '…'} to ${d.to ?? '…'}` : 'no validity period'
        put(
          `# ${rule.spec}\n# inside ${d.inside}, public ${d.public}, ports ${d.ports}, ${d.blocksPerPublicIp} blocks of ${d.block} ports per public address${rule.blockComputed ? ' (block size computed)' : ''}, order ${d.order}, ${valid}\n`,
        )
        put(`${'inside'.padEnd(16)}${'public'.padEnd(16)}ports\n`)
        for (const row of detNatTable(rule)) put(`${row.insideIp.padEnd(16)}${row.publicIp.padEnd(16)}${row.portRange.first}-${row.portRange.last}\n`)
      })
      if (json) put('\n  ]\n}\n')
      process.stdout.write(buf)
      if (!json && rules.length === 0) this.log('no rule is live at that time')
      return undefined
    } catch (err) {
      return fail(this, err)
    }
  }
}
