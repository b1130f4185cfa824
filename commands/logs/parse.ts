import {Command, Flags} from '@oclif/core'
import {fail} from '../../src/cli/errors.js'
import {UsageError} from '../../src/io/errors.js'
import {canonicalIp} from '../../src/io/net.js'
import {stripControls} from '../../src/io/sanitize.js'
import {eventHasIp, natEventRow, streamNatEvents} from '../../src/nat/inspect.js'

export default class LogsParse extends Command {
  static override summary = 'Print the normalised NAT events natrace reads from logs (NDJSON with --json)'
  static override description =
    'One record per event: {file, line, format, kind, time, end, protocol, insideIp, insidePort, outsideIp, outsidePort, outsidePortEnd, destIp, destPort, subscriber}, times ISO-8601 UTC, null where the log has no such field. kind is session-start|session-end|session|mapping|port-block|packet. Events are printed as they are read (streamed). Problems go to stderr.'
  static override examples = ['<%= config.bin %> logs parse /var/log/security --json', '<%= config.bin %> logs parse /srv/logs/cgnat --ip 198.51.100.7 --log-tz America/Sao_Paulo --json']
  static override strict = false
  static override flags = {
    json: Flags.boolean({description: 'NDJSON: one JSON object per line'}),
    format: Flags.string({description: 'force the format instead of detecting it'}),
    'log-tz': Flags.string({description: 'zone of log stamps that carry none (default: the system zone)'}),
    ip: Flags.string({description: 'only events naming this IP on any side (repeatable; also speeds reading up)', multiple: true}),
  }

  async run(): Promise<void> {
    try {
      const {argv, flags} = await this.parse(LogsParse)
      const ips = (flags.ip ?? []).map((x) => {
        const c = canonicalIp(x)
        if (!c) throw new UsageError(`--ip "${x}" is not an IP address`)
        return c
      })
      const want = ips.length ? new Set(ips) : null
      let buf: string[] = []
      const flush = () => {
        if (buf.length) process.stdout.write(buf.join('\n') + '\n')
        buf = []
      }
      const res = await streamNatEvents(
        argv as string[],
        // IPv6 is written in too many ways for a byte pre-filter; the event filter still applies
        {tz: flags['log-tz'], format: flags.format, needles: want && !ips.some((i) => i.includes(':')) ? ips : undefined},
        (e, format) => {
          if (want && !eventHasIp(e, want)) return
          const row = natEventRow(e, format)
          if (flags.json) buf.push(JSON.stringify(row))
          else {
            const ins = row.insideIp ? `${row.insideIp}:${row.insidePort ?? '-'}` : '-'
            const out = row.outsideIp ? `${row.outsideIp}:${row.outsidePort ?? '-'}${row.outsidePortEnd !== null ? `-${row.outsidePortEnd}` : ''}` : '-'
            const dst = row.destIp ? `${row.destIp}:${row.destPort ?? '-'}` : e.dstIp ? `(${e.srcIp}:${e.srcPort ?? '-'} > ${e.dstIp}:${e.dstPort ?? '-'})` : '-'
            buf.push([row.time, row.kind.padEnd(13), (row.protocol ?? '-').padEnd(4), ins, '->', out, '->', dst, row.subscriber ?? '', `${row.file}:${row.line}`].map((s) => stripControls(String(s))).join('  '))
          }
          if (buf.length >= 500) flush()
        },
      )
      flush()
      for (const w of res.warnings) process.stderr.write(`natrace: warning: ${stripControls(w)}\n`)
      for (const f of res.files) {
        if (f.format === null && f.records === 0) process.stderr.write(`natrace: warning: ${stripControls(f.file)}: no known NAT / firewall log format recognised\n`)
        if (f.malformed)
          process.stderr.write(
            `natrace: warning: ${stripControls(f.file)}: ${f.malformed} malformed line(s), first: ${f.malformedFirst.map((m) => `${m.line} (${stripControls(m.reason)})`).join(', ')}\n`,
          )
      }
    } catch (err) {
      return fail(this, err)
    }
  }
}
