/**
 * Time edges through the real reading path (readAll → ipfw parser → intervals → engine): syslog lines without a
 * year across New Year, and a repeated DST hour.
 */
import {mkdtempSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {correlate} from '../../src/correlate/engine.js'
import {buildIntervals} from '../../src/correlate/intervals.js'
import {readAll} from '../../src/io/inputs.js'
import {buildHoldings} from '../../src/lease/holdings.js'
import {natFormats} from '../../src/nat/registry.js'
import type {Incident, LeaseEvent, NatEvent} from '../../src/model.js'

function write(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'natrace-time-'))
  const p = join(dir, 'security')
  writeFileSync(p, lines.join('\n') + '\n')
  return p
}

function inc(ms: number, port: number): Incident {
  return {time: ms, times: [ms], publicIp: '203.0.113.5', publicPort: port, portRole: 'source', destIp: '198.51.100.9', destPort: 22, protocol: 'tcp', zone: {zone: 'UTC', how: 'stated'}, raw: ''}
}

const lease = (ip: string, mac: string, from: number, to: number): LeaseEvent => ({event: 'lease', time: from, ip, mac, hostname: null, subscriber: null, leaseEnd: to, evidence: {file: 'l', line: 1, text: 'l'}})

async function attribute(path: string, zone: string, incidents: Incident[], leases: LeaseEvent[]) {
  const first = Math.min(...incidents.map((i) => i.time))
  const read = await readAll<NatEvent>([path], 'NAT log', natFormats, {zone, year: {anchorMs: first, mode: 'nearest', anchorWhat: 'report'}})
  const r = read.results[0]!
  const out = correlate(incidents, buildIntervals(r.records), buildHoldings(leases), {
    maxSkewMs: 30_000,
    natCoverage: [{first: r.spanFirstMs!, last: r.spanLastMs!}],
    haveLeases: true,
    reportZone: 'UTC',
  })
  return {out, read: r}
}

describe('syslog stamps without a year', () => {
  it('reads December lines in a January report as last year and matches across New Year', async () => {
    const p = write([
      'Dec 31 23:59:58 gw kernel: ipfw: 1 Count TCP 192.168.0.10:40000 198.51.100.9:22 in via em1',
      'Jan  1 00:00:03 gw kernel: ipfw: 1 Count TCP 192.168.0.11:40001 198.51.100.9:22 in via em1',
    ])
    const {out, read} = await attribute(p, 'UTC', [inc(Date.UTC(2013, 11, 31, 23, 59, 58), 40000), inc(Date.UTC(2014, 0, 1, 0, 0, 3), 40001)], [
      lease('192.168.0.10', '00:00:00:00:00:10', Date.UTC(2013, 11, 31), Date.UTC(2014, 0, 2)),
      lease('192.168.0.11', '00:00:00:00:00:11', Date.UTC(2013, 11, 31), Date.UTC(2014, 0, 2)),
    ])
    expect(read.years).toEqual([2013, 2014])
    expect(out.incidents.map((i) => i.attribution.mac)).toEqual(['00:00:00:00:00:10', '00:00:00:00:00:11'])
  })
})

describe('a repeated DST hour', () => {
  // America/Sao_Paulo left DST on 2013-02-17 00:00 (-02) → 2013-02-16 23:00 (-03): 23:00-23:59 happens twice
  it('reads the second pass of the repeated hour by line order and attributes the right client', async () => {
    const p = write([
      'Feb 16 23:10:00 gw kernel: ipfw: 1 Count TCP 192.168.0.10:40000 198.51.100.9:22 in via em1',
      'Feb 16 23:50:00 gw kernel: ipfw: 1 Count TCP 192.168.0.12:40100 198.51.100.9:22 in via em1',
      'Feb 16 23:10:00 gw kernel: ipfw: 1 Count TCP 192.168.0.11:40000 198.51.100.9:22 in via em1',
    ])
    // first pass 23:10 -02:00 = 01:10Z; second pass 23:10 -03:00 = 02:10Z
    const second = Date.UTC(2013, 1, 17, 2, 10, 0)
    const {out, read} = await attribute(p, 'America/Sao_Paulo', [inc(second, 40000)], [
      lease('192.168.0.10', '00:00:00:00:00:10', Date.UTC(2013, 1, 16), Date.UTC(2013, 1, 18)),
      lease('192.168.0.11', '00:00:00:00:00:11', Date.UTC(2013, 1, 16), Date.UTC(2013, 1, 18)),
    ])
    expect(read.dstRepeated).toBeGreaterThan(0)
    expect(out.incidents[0]!.attribution.status).toBe('attributed')
    expect(out.incidents[0]!.attribution.insideIp).toBe('192.168.0.11')
  })
})

describe('a year-old rotated file', () => {
  it('is not read as this year: a syslog line cannot be newer than its file', async () => {
    const p = write(['Jun 18 18:53:34 gw kernel: ipfw: 1 Count TCP 192.168.0.10:40000 198.51.100.9:22 in via em1'])
    const mtime = new Date(Date.UTC(2013, 5, 18, 23, 59, 59))
    utimesSync(p, mtime, mtime)
    const report2014 = Date.UTC(2014, 5, 18, 18, 53, 34)
    const {out, read} = await attribute(p, 'UTC', [inc(report2014, 40000)], [lease('192.168.0.10', '00:00:00:00:00:10', Date.UTC(2013, 0, 1), Date.UTC(2015, 0, 1))])
    expect(read.years).toEqual([2013])
    expect(out.incidents[0]!.attribution.status).toBe('not-found')
  })
})
