import {copyFileSync, mkdtempSync, utimesSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {buildHoldings} from '../../src/lease/holdings.js'
import {FIX, readFixture, utc} from './helpers.js'

const at = (s: string) => utc(s)

describe('kea-csv', () => {
  it('reads rows by header: lease from cltt (= expire - valid_lifetime) to expire, &#x2c unescaped', async () => {
    const {result, events} = await readFixture('kea/kea-leases4.csv')
    expect(result.format).toBe('kea-csv')
    expect(events[0]).toMatchObject({event: 'lease', ip: '10.30.0.20', mac: '3c:22:fb:10:20:30', hostname: 'ana-tablet', time: at('2013-06-18T18:20:12Z'), leaseEnd: at('2013-06-18T19:20:12Z')})
    expect(events.find((e) => e.ip === '10.30.0.21')!.hostname).toBe('loja,fiscal,01')
  })

  it('takes a lifetime-0 row as the end of the holding, and the next client from its own cltt', async () => {
    const {events} = await readFixture('kea/kea-leases4.csv')
    const h = buildHoldings(events)
    const ps = h.periods('10.30.0.20')
    expect(ps.map((p) => [p.mac, p.endHow])).toEqual([['3c:22:fb:10:20:30', 'release'], ['d8:0f:99:aa:00:01', 'lease-end']])
    expect(ps[0]!.end).toBe(at('2013-06-18T18:50:12Z'))
    expect(h.lookup('10.30.0.20', at('2013-06-18T19:30:00Z')).holders).toEqual([])
    expect(h.lookup('10.30.0.20', at('2013-06-18T20:30:00Z')).holders).toEqual([])
    expect(h.lookup('10.30.0.20', at('2013-06-18T21:30:00Z')).holders[0]!.hostname).toBe('visita')
  })

  it('names no MAC for a declined address, ends an expired-reclaimed lease, reports an unreadable row', async () => {
    const {events, result} = await readFixture('kea/kea-leases4.csv')
    expect(events.filter((e) => e.ip === '10.30.0.22')).toEqual([expect.objectContaining({mac: null, time: at('2013-06-18T18:33:32Z')})])
    expect(events.filter((e) => e.ip === '10.30.0.23').map((e) => e.event)).toEqual(['lease', 'expire'])
    expect(result.malformed.first).toEqual([expect.objectContaining({line: 9})])
  })

  it('reads an old LFC file with fewer columns', async () => {
    const {events} = await readFixture('kea/kea-leases4.csv.2')
    expect(events).toEqual([expect.objectContaining({ip: '10.30.0.40', mac: '3c:22:fb:10:20:40', hostname: 'old-kea', time: at('2013-06-17T18:13:20Z')})])
  })
})

describe('kea-log', () => {
  it('takes DHCP4_LEASE_ALLOC / _REUSE with their lease time and DHCP4_RELEASE, never an offer/advert', async () => {
    const {result, events} = await readFixture('kea/kea-dhcp4.log', {zone: 'America/Sao_Paulo'})
    expect(result.format).toBe('kea-log')
    expect(events.map((e) => [e.event, e.ip])).toEqual([['assign', '10.30.0.50'], ['renew', '10.30.0.50'], ['release', '10.30.0.50'], ['assign', '10.30.0.52']])
    expect(events[0]).toMatchObject({mac: '3c:22:fb:10:20:50', time: at('2013-06-18T18:40:12.419Z'), leaseEnd: at('2013-06-18T18:40:12.419Z') + 1800_000})
    expect(events[3]!.time).toBe(at('2013-06-18T19:10:00Z'))
  })

  it('reads the forensic legal log: durations in days/hrs/mins/secs, infinite, UTC stamps, releases, admin adds', async () => {
    const {events} = await readFixture('kea/kea-legal.20130618.txt', {zone: 'America/Sao_Paulo'})
    expect(events.map((e) => [e.event, e.ip])).toEqual([['assign', '10.30.0.60'], ['renew', '10.30.0.60'], ['assign', '10.30.0.61'], ['release', '10.30.0.60'], ['assign', '10.30.0.62']])
    expect(events[0]).toMatchObject({time: at('2013-06-18T18:40:12Z'), leaseEnd: at('2013-06-18T19:40:12Z'), mac: '3c:22:fb:10:20:60'})
    expect(events[1]!.leaseEnd! - events[1]!.time).toBe(86400_000)
    expect(events[2]).toMatchObject({time: at('2013-06-18T19:10:12Z'), leaseEnd: Infinity})
    expect(events[4]).toMatchObject({mac: '3c:22:fb:10:20:62', leaseEnd: at('2013-06-18T20:35:00Z')})
    const h = buildHoldings(events)
    expect(h.periods('10.30.0.60')).toEqual([expect.objectContaining({end: at('2013-06-18T20:00:00Z'), endHow: 'release'})])
  })
})

describe('dnsmasq', () => {
  function withMtime(rel: string, iso: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'natrace-lease-'))
    const p = join(dir, rel.split('/').pop()!)
    copyFileSync(FIX + rel, p)
    const t = new Date(iso)
    utimesSync(p, t, t)
    return p
  }

  it('reads a leases file as "held when the file was written, until the expiry", never earlier', async () => {
    const p = withMtime('dnsmasq/dnsmasq.leases', '2013-06-18T19:00:00Z')
    const {readAll} = await import('../../src/io/inputs.js')
    const {leaseFormats} = await import('../../src/lease/registry.js')
    const r = await readAll([p], 'lease source', leaseFormats, {})
    const ev = r.results[0]!.records
    expect(r.results[0]!.format).toBe('dnsmasq-leases')
    expect(ev.map((e) => e.ip)).toEqual(['192.168.1.23', '192.168.1.24'])
    expect(ev[0]).toMatchObject({mac: 'f4:f5:d8:01:02:03', hostname: 'joao-celular', time: at('2013-06-18T19:00:00Z'), leaseEnd: 1371591612_000})
    expect(ev[1]!.hostname).toBeNull()
    const h = buildHoldings(ev)
    expect(h.lookup('192.168.1.23', at('2013-06-18T18:00:00Z')).reason).toMatch(/^lease history for 192\.168\.1\.23 starts at 2013-06-18T19:00:00Z/)
  })

  it('reads the first column of a no-RTC build as a lease length: only the write instant is proven', async () => {
    const p = withMtime('dnsmasq/dhcp.leases.no-rtc', '2013-06-18T19:00:00Z')
    const {readAll} = await import('../../src/io/inputs.js')
    const {leaseFormats} = await import('../../src/lease/registry.js')
    const ev = (await readAll([p], 'lease source', leaseFormats, {})).results[0]!.records
    expect(ev[0]).toMatchObject({ip: '192.168.1.26', time: at('2013-06-18T19:00:00Z'), leaseEnd: at('2013-06-18T19:00:00Z')})
  })

  it('reads DHCPACK lines with year (logread) and without, but not the reply to a DHCPINFORM nor the DISCOVER wish', async () => {
    const {result, events} = await readFixture('dnsmasq/logread.log', {zone: 'America/Sao_Paulo'})
    expect(result.format).toBe('dnsmasq-syslog')
    expect(events.map((e) => [e.event, e.ip, e.mac])).toEqual([
      ['assign', '192.168.1.23', 'f4:f5:d8:01:02:03'],
      ['assign', '192.168.1.31', 'f4:f5:d8:01:02:31'],
      ['release', '192.168.1.23', 'f4:f5:d8:01:02:03'],
      ['assign', '192.168.1.23', 'f4:f5:d8:01:02:99'],
    ])
    expect(events[0]).toMatchObject({hostname: 'joao-celular', time: at('2013-06-18T18:40:12Z')})
    expect(events[1]!.hostname).toBe('nas')
  })
})

describe('windows-dhcp', () => {
  it('reads the CSV under the legend: MM/DD/YY local time, bare-hex MAC, quoted host names', async () => {
    const {result, events} = await readFixture('windows/DhcpSrvLog-Tue.log', {zone: 'America/Sao_Paulo'})
    expect(result.format).toBe('windows-dhcp')
    expect(events.map((e) => [e.event, e.ip, e.mac])).toEqual([
      ['assign', '172.20.4.23', '00:1e:c2:aa:bb:cc'],
      ['renew', '172.20.4.23', '00:1e:c2:aa:bb:cc'],
      ['release', '172.20.4.23', '00:1e:c2:aa:bb:cc'],
      ['assign', '172.20.4.23', '5c:f9:38:12:34:56'],
      ['expire', '172.20.4.23', '5c:f9:38:12:34:56'],
    ])
    expect(events[0]).toMatchObject({time: at('2013-06-18T18:40:12Z'), hostname: 'PC-JOAO.corp.example'})
    expect(events[3]!.hostname).toBe('NOTE,BOOK.corp.example')
    expect(result.malformed.count).toBe(2) // ID 17 with the IP glued to the description; month 13
  })

  it('gives the earlier client for traffic before the release and nobody between release and next assign', async () => {
    const {events} = await readFixture('windows/DhcpSrvLog-Tue.log', {zone: 'America/Sao_Paulo'})
    const h = buildHoldings(events)
    expect(h.lookup('172.20.4.23', at('2013-06-18T19:30:00Z')).holders[0]!.mac).toBe('00:1e:c2:aa:bb:cc')
    expect(h.lookup('172.20.4.23', at('2013-06-18T20:15:00Z')).holders).toEqual([])
    expect(h.lookup('172.20.4.23', at('2013-06-18T20:31:00Z')).holders[0]!.mac).toBe('5c:f9:38:12:34:56')
  })
})

describe('mikrotik-dhcp', () => {
  it('reads assigned/deassigned in v6 and v7 wording, console dates, and refuses a line without time', async () => {
    const {result, events} = await readFixture('mikrotik/dhcp.log', {zone: 'America/Sao_Paulo'})
    expect(result.format).toBe('mikrotik-dhcp')
    expect(events.map((e) => [e.event, e.ip, e.mac, e.hostname])).toEqual([
      ['assign', '192.168.88.37', 'b0:e4:5c:27:00:01', 'Galaxy-A52'],
      ['release', '192.168.88.37', 'b0:e4:5c:27:00:01', 'Galaxy-A52'],
      ['assign', '192.168.88.37', 'b0:e4:5c:27:00:02', null],
      ['release', '192.168.88.38', 'b0:e4:5c:27:00:03', null],
      ['assign', '192.168.88.39', 'b0:e4:5c:27:00:04', 'printer'],
    ])
    expect(events[3]!.time).toBe(at('2013-06-18T19:45:00Z'))
    expect(events[4]!.time).toBe(at('2013-06-18T19:50:00Z'))
    expect(result.malformed.first).toEqual([expect.objectContaining({line: 7})])
  })
})

describe('freeradius-detail', () => {
  it('reads Start/Interim/Stop with the subscriber, any MAC writing, and the best time source', async () => {
    const {result, events} = await readFixture('radius/detail-20130618', {zone: 'America/Sao_Paulo'})
    expect(result.format).toBe('freeradius-detail')
    const by = (s: string) => events.filter((e) => e.subscriber === s).map((e) => [e.event, new Date(e.time).toISOString(), e.ip, e.mac])
    expect(by('cliente0042@isp.example')).toEqual([
      ['start', '2013-06-18T18:40:12.000Z', '100.64.3.17', '00:1e:c2:aa:bb:cc'],
      ['interim', '2013-06-18T18:50:00.000Z', '100.64.3.17', '00:1e:c2:aa:bb:cc'],
      ['stop', '2013-06-18T19:20:00.000Z', '100.64.3.17', '00:1e:c2:aa:bb:cc'],
    ])
    expect(by('cliente0043')[0]).toEqual(['start', '2013-06-18T18:45:00.000Z', '100.64.3.18', '00:1e:c2:aa:bb:dd'])
    // a phone number is not a MAC; Stop's Acct-Session-Time states the start
    expect(by('cliente0044')).toEqual([
      ['start', '2013-06-18T17:00:00.000Z', '100.64.3.19', null],
      ['stop', '2013-06-18T19:00:00.000Z', '100.64.3.19', null],
    ])
    expect(events.some((e) => e.subscriber === 'bob')).toBe(false) // no Framed-IP-Address
  })

  it('closes every open session of a NAS at Accounting-On and names the subscriber', async () => {
    const {events} = await readFixture('radius/detail-20130618', {zone: 'America/Sao_Paulo'})
    const h = buildHoldings(events)
    const r = h.lookup('100.64.3.18', at('2013-06-18T19:00:00Z'))
    expect(r.holders[0]).toMatchObject({subscriber: 'cliente0043', mac: '00:1e:c2:aa:bb:dd'})
    expect(h.lookup('100.64.3.18', at('2013-06-18T19:21:00Z')).holders).toEqual([])
    expect(h.lookup('100.64.3.19', at('2013-06-18T18:00:00Z')).holders[0]!.subscriber).toBe('cliente0044')
  })
})

describe('radacct-csv and static-map', () => {
  it('reads radacct rows: start/update/stop with offsets or the given zone, interval as lease end', async () => {
    const {result, events} = await readFixture('radius/radacct.csv', {zone: 'America/Sao_Paulo'})
    expect(result.format).toBe('radacct-csv')
    expect(events.filter((e) => e.ip === '100.64.4.1').map((e) => [e.event, new Date(e.time).toISOString()])).toEqual([
      ['start', '2013-06-18T18:00:00.000Z'],
      ['interim', '2013-06-18T18:50:00.000Z'],
      ['stop', '2013-06-18T19:10:00.000Z'],
    ])
    const open = events.filter((e) => e.ip === '100.64.4.2')
    expect(open.map((e) => e.event)).toEqual(['start', 'interim'])
    expect(open[1]).toMatchObject({mac: 'aa:bb:cc:00:01:02', subscriber: 'cliente0102', leaseEnd: at('2013-06-18T19:05:00Z')})
    expect(result.malformed.first).toEqual([expect.objectContaining({line: 5})])
    const h = buildHoldings(events)
    expect(h.lookup('100.64.4.2', at('2013-06-18T19:04:00Z')).holders[0]!.subscriber).toBe('cliente0102')
    expect(h.lookup('100.64.4.2', at('2013-06-18T19:20:00Z')).holders).toEqual([])
  })

  it('reads static assignments, open-ended or bounded, and rejects a bad MAC', async () => {
    const {result, events} = await readFixture('static/static-map.csv', {zone: 'America/Sao_Paulo'})
    expect(result.format).toBe('static-map')
    expect(events.map((e) => [e.ip, e.mac, e.subscriber])).toEqual([
      ['100.64.0.10', '00:1e:c2:aa:bb:01', 'cliente0010'],
      ['100.64.0.11', null, 'cliente0011'],
      ['100.64.0.13', '00:1e:c2:aa:bb:13', 'cliente0013'],
    ])
    expect(events[1]).toMatchObject({time: at('2013-01-01T03:00:00Z'), leaseEnd: at('2013-06-01T03:00:00Z')})
    expect(events[2]!.time).toBe(0)
    expect(result.malformed.count).toBe(1)
    const h = buildHoldings(events)
    expect(h.lookup('100.64.0.11', at('2013-06-18T18:53:34Z')).holders).toEqual([])
    expect(h.lookup('100.64.0.10', at('2013-06-18T18:53:34Z')).holders[0]!.subscriber).toBe('cliente0010')
  })
})

describe('odhcpd', () => {
  it('reads IPv4 state lines from the write instant to valid-until, skipping DHCPv6, expired and host lines', async () => {
    const {copyFileSync: cp, mkdtempSync: mk, utimesSync: ut} = await import('node:fs')
    const dir = mk(join(tmpdir(), 'natrace-odhcpd-'))
    const p = join(dir, 'odhcpd')
    cp(FIX + 'openwrt/odhcpd', p)
    ut(p, new Date('2013-06-18T19:00:00Z'), new Date('2013-06-18T19:00:00Z'))
    const {readAll} = await import('../../src/io/inputs.js')
    const {leaseFormats} = await import('../../src/lease/registry.js')
    const r = (await readAll([p], 'lease source', leaseFormats, {})).results[0]!
    expect(r.format).toBe('odhcpd')
    expect(r.records.map((e) => [e.ip, e.mac, e.hostname, e.time, e.leaseEnd])).toEqual([
      ['10.30.1.23', '3c:22:fb:10:20:30', 'ana-tablet', at('2013-06-18T19:00:00Z'), 1371591612_000],
      ['10.30.1.24', '3c:22:fb:10:20:31', null, at('2013-06-18T19:00:00Z'), 1371591612_000],
      ['10.30.1.25', '3c:22:fb:10:20:32', null, at('2013-06-18T19:00:00Z'), Infinity],
    ])
  })
})

describe('mikrotik-leases', () => {
  it('reads bound leases of a printed lease table around the print instant (file time), skipping waiting ones', async () => {
    const {copyFileSync: cp, mkdtempSync: mk, utimesSync: ut} = await import('node:fs')
    const dir = mk(join(tmpdir(), 'natrace-ros-'))
    const p = join(dir, 'leases-print.txt')
    cp(FIX + 'mikrotik/leases-print.txt', p)
    ut(p, new Date('2013-06-18T19:00:00Z'), new Date('2013-06-18T19:00:00Z'))
    const {readAll} = await import('../../src/io/inputs.js')
    const {leaseFormats} = await import('../../src/lease/registry.js')
    const r = (await readAll([p], 'lease source', leaseFormats, {})).results[0]!
    expect(r.format).toBe('mikrotik-leases')
    expect(r.records.map((e) => [e.ip, e.mac, e.hostname, new Date(e.time).toISOString(), new Date(e.leaseEnd!).toISOString()])).toEqual([
      ['192.168.88.37', 'b0:e4:5c:27:00:02', 'Galaxy-S10', '2013-06-18T18:59:01.000Z', '2013-06-18T19:09:01.000Z'],
      ['192.168.88.41', 'b0:e4:5c:27:00:41', 'nas', '2013-06-18T16:56:56.000Z', '2013-06-19T21:00:00.000Z'],
    ])
  })
})

describe('mikrotik-leases: PPP active sessions', () => {
  it('names the PPPoE account as subscriber, from (print time - uptime) to the print time', async () => {
    const {copyFileSync: cp, mkdtempSync: mk, utimesSync: ut} = await import('node:fs')
    const dir = mk(join(tmpdir(), 'natrace-ppp-'))
    const p = join(dir, 'ppp-active.txt')
    cp(FIX + 'mikrotik/ppp-active.txt', p)
    ut(p, new Date('2013-06-18T19:00:00Z'), new Date('2013-06-18T19:00:00Z'))
    const {readAll} = await import('../../src/io/inputs.js')
    const {leaseFormats} = await import('../../src/lease/registry.js')
    const r = (await readAll([p], 'lease source', leaseFormats, {})).results[0]!
    expect(r.format).toBe('mikrotik-leases')
    const h = buildHoldings(r.records)
    expect(h.periods('100.64.5.17')).toEqual([expect.objectContaining({subscriber: 'cliente0042', mac: '00:1e:c2:aa:bb:cc', start: at('2013-06-18T16:56:56Z'), end: at('2013-06-18T19:00:00Z')})])
    expect(h.lookup('100.64.5.18', at('2013-06-18T18:59:30Z')).holders[0]!.subscriber).toBe('cliente0043')
    expect(h.lookup('100.64.5.18', at('2013-06-18T18:58:00Z')).holders).toEqual([])
  })
})
