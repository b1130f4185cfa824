/**
 * End to end through the built CLI: one small scenario per kind of NAT device and lease source, each with
 * the zone flags an operator would give. The report names the public side; the test checks the customer.
 */
import {spawnSync} from 'node:child_process'
import {join, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {AttributionResult} from '../../src/model.js'

const root = resolve(import.meta.dirname, '../..')
const fx = (scenario: string, file: string) => join(root, 'test/fixtures/attribute', scenario, file)

function attribute(args: string[]): {code: number | null; out: AttributionResult} {
  const r = spawnSync(process.execPath, [join(root, 'bin/run.js'), 'attribute', ...args, '--json'], {encoding: 'utf8', env: {...process.env, TZ: 'UTC'}})
  return {code: r.status, out: JSON.parse(r.stdout) as AttributionResult}
}

describe('attribution through each kind of NAT log and lease source', () => {
  it('CGNAT conntrack events + FreeRADIUS detail: the subscriber of each session, even when the public port is reused', () => {
    const s = 'cgnat-conntrack-radius'
    const {code, out} = attribute([fx(s, 'report.txt'), '--nat-logs', fx(s, 'conntrack.log'), '--dhcp', fx(s, 'detail-20130618')])
    expect(code).toBe(0)
    expect(out.inputs.nat[0]!.format).toBe('conntrack')
    expect(out.inputs.leases[0]!.format).toBe('freeradius-detail')
    const [a, b] = out.incidents.map((i) => i.attribution)
    expect(a!.subscriber).toBe('cliente0042@isp.example')
    expect(a!.mac).toBe('00:1e:c2:aa:bb:cc')
    expect(b!.subscriber).toBe('cliente0043')
  })

  it('MikroTik srcnat log with PPPoE interfaces names the subscriber from the NAT line itself, also for a record split over two syslog lines', () => {
    const s = 'mikrotik-pppoe'
    const {code, out} = attribute([fx(s, 'report.eml'), '--nat-logs', fx(s, 'firewall.log'), '--log-tz', 'America/Sao_Paulo'])
    expect(code).toBe(0)
    expect(out.incidents.map((i) => i.attribution.subscriber)).toEqual(['maria.souza', 'ana'])
    expect(out.incidents[1]!.attribution.evidence[0]!.text).toContain('pppoe-ana')
  })

  it('Cisco ASA 305011/305012 translations + Kea lease CSV: the lease holder at the time, not the earlier one', () => {
    const s = 'asa-kea'
    const {code, out} = attribute([fx(s, 'report.txt'), '--nat-logs', fx(s, 'asa.log'), '--dhcp', fx(s, 'kea-leases4.csv'), '--log-tz', 'Europe/Berlin'])
    expect(code).toBe(0)
    const a = out.incidents[0]!.attribution
    expect(a.insideIp).toBe('192.168.10.21')
    expect(a.hostname).toBe('recepcao-pc')
    expect(a.mac).toBe('3c:22:fb:00:00:21')
  })

  it('Juniper SRX RT_FLOW sessions + dnsmasq syslog', () => {
    const s = 'srx-dnsmasq'
    const {code, out} = attribute([fx(s, 'report.txt'), '--nat-logs', fx(s, 'srx.log'), '--dhcp', fx(s, 'dnsmasq.log'), '--log-tz', 'Europe/Berlin'])
    expect(code).toBe(0)
    expect(out.incidents[0]!.attribution.hostname).toBe('lab-laptop-07')
    expect(out.incidents[0]!.attribution.insidePort).toBe(50123)
  })

  it('FortiGate traffic logs (tz= and eventtime, logged at session end) + Windows DHCP audit log in local time', () => {
    const s = 'fortigate-windows'
    const {code, out} = attribute([fx(s, 'report.txt'), '--nat-logs', fx(s, 'fortigate.log'), '--dhcp', fx(s, 'DhcpSrvLog-Fri.log'), '--dhcp-tz', 'Asia/Kathmandu'])
    expect(code).toBe(0)
    expect(out.incidents[0]!.attribution.mac).toBe('5c:f9:38:aa:00:15')
    expect(out.assumptions.some((a) => a.kind === 'lease-zone' && a.text.includes('Asia/Kathmandu'))).toBe(true)
  })

  it('Juniper port-block allocation + static map: the block holder before and after the block changed hands', () => {
    const s = 'pba-static'
    const {code, out} = attribute([fx(s, 'report.txt'), '--nat-logs', fx(s, 'pba.log'), '--dhcp', fx(s, 'static-map.csv'), '--log-tz', 'UTC'])
    expect(code).toBe(0)
    expect(out.incidents.map((i) => i.attribution.subscriber)).toEqual(['cliente-0905', 'cliente-0907'])
  })

  it('deterministic NAT without any log: the rule maps the public port to the inside address', () => {
    const s = 'detnat-static'
    const {code, out} = attribute([fx(s, 'report.txt'), '--det-nat', '100.64.0.0/22=203.0.113.0/27,ports=1024-65535,block=2000', '--dhcp', fx(s, 'static-map.csv')])
    expect(code).toBe(0)
    const a = out.incidents[0]!.attribution
    expect(a.insideIp).toBe('100.64.0.226')
    expect(a.subscriber).toBe('cliente-0226')
    expect(a.reason).toMatch(/deterministic NAT/)
  })
})
