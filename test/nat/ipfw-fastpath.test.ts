import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {ipfw, parseFull} from '../../src/nat/formats/ipfw.js'
import {assertFastEqualsFull, readBoth} from '../scan/fastpath-check.js'
import {assertParseEqualsFull} from './fastparse-check.js'
import {makeCtx} from './helpers.js'

// Europe/Berlin: 2024-03-31 02:30 does not exist, 2024-10-27 02:30 happens twice
const DAYS: [string, string, string, string, string][] = [
  ['2024', '03', '05', 'Mar', ' 5'],
  ['2024', '03', '31', 'Mar', '31'],
  ['2024', '10', '27', 'Oct', '27'],
  ['2024', '12', '31', 'Dec', '31'],
]
/** mostly a usual value, sometimes an ugly one */
const mostly = <T,>(good: T[], ugly: T[]) => fc.oneof({weight: 30, arbitrary: fc.constantFrom(...good)}, {weight: 1, arbitrary: fc.constantFrom(...ugly)})
const stamp = fc
  .record({
    d: fc.constantFrom(...DAYS),
    hh: mostly(['00', '02', '03', '23'], ['24']),
    mm: mostly(['00', '30', '59'], ['60']),
    ss: mostly(['00', '07', '59'], ['60']),
    frac: mostly(['', '.1', '.12', '.123', '.123456', '.123456789'], ['.1234567890', ',5', '.']),
    off: mostly(['', 'Z', '+00:00', '+01:00', '-03:00', '+0530', '+01'], ['+15:00', '+01:0', 'z', '+1:00']),
    form: mostly(['iso', 'iso-space', 'bsd', 'bsd-year'], ['pri', 'rfc5424', 'junk']),
  })
  .map(({d, hh, mm, ss, frac, off, form}) => {
    const [y, mo, dd, mon, bd] = d
    if (form === 'iso') return `${y}-${mo}-${dd}T${hh}:${mm}:${ss}${frac}${off}`
    if (form === 'iso-space') return `${y}-${mo}-${dd} ${hh}:${mm}:${ss}${frac}${off}`
    if (form === 'bsd') return `${mon} ${bd} ${hh}:${mm}:${ss}${frac === ',5' ? '' : frac}`
    if (form === 'bsd-year') return `${mon} ${bd} ${hh}:${mm}:${ss} ${y}`
    if (form === 'pri') return `<134>${mon} ${bd} ${hh}:${mm}:${ss}`
    if (form === 'rfc5424') return `<134>1 ${y}-${mo}-${dd}T${hh}:${mm}:${ss}${off}`
    return `${y}/${mo}/${dd}`
  })
const ip = mostly(
  ['10.9.0.77', '192.168.1.20', '172.16.5.4', '172.31.0.1', '172.32.0.1', '100.64.0.9', '100.128.0.1', '169.254.3.3', '203.0.113.7', '198.51.100.20', '8.8.8.8', '0.0.0.0', '255.255.255.255'],
  ['010.1.2.3', '256.1.1.1', '1.2.3', '1.2.3.4.5', '[2001:db8::1]', '2001:db8::1', '1..2.3', '10.0.0.1x'],
)
const portText = mostly([':1', ':23', ':443', ':6881', ':65535', ':40000'], ['', ':0', ':65536', ':080', ':', ':123456', ':x'])
const proto = fc.oneof(
  {weight: 8, arbitrary: fc.constantFrom('TCP', 'UDP', 'ICMP', 'ICMP:8.0', 'ICMP:3.13')},
  {weight: 1, arbitrary: fc.constantFrom('ICMP:8', 'ICMPv6:128.0', 'ICMPv6', 'UDPLite', 'UDP-Lite', 'SCTP', 'P:47', 'P:6', 'MAC', 'tcp', 'ICMP:8.0x', 'ICMP:.0')},
)
/** an address with a port for the ported protocols, mostly without one for the others */
const addrFor = (p: string) => fc.tuple(ip, /^(TCP|UDP|SCTP)/.test(p) ? portText : mostly([''], [':80', ':0'])).map(([a, x]) => a + x)
const action = mostly(['Count', 'Accept', 'Deny', 'Forward to 10.0.0.1:3128', 'Unreach 3', 'Divert 8668'], ['Count TCP', 'Nat', '', ' Count', 'Count\tlog', 'Count UDP 1.2.3.4:5', 'Deny ICMP', 'Deny ICMPv6 TCP', 'Deny MAC'])
const tail = mostly(['in via em0', 'out via em1', 'in via igb0.100'], ['[no if info]', 'in via em0 (frag 4321:20@1480+)', 'in via em0 ', 'in via', 'via em0', 'in  via em0', 'in via em\u00a00', 'in via em0\r', 'in via em0]'])
const rule = mostly(['100', '65535', '1'], ['-5', '1x', '', '00100'])
const sep = mostly([' '], ['  ', '\t', '\u00a0'])
const packetLine = proto
  .chain((proto) => fc.record({stamp, host: fc.constantFrom('gw kernel: ', 'gw kernel: [12.5] ', ''), rule, action, proto: fc.constant(proto), src: addrFor(proto), dst: addrFor(proto), s1: sep, s2: sep, tail, nsrc: mostly([2], [0, 1])}))
  .map(({stamp, host, rule, action, proto, src, dst, s1, s2, tail, nsrc}) => {
    const addrs = nsrc === 0 ? '' : nsrc === 1 ? ` ${src}` : ` ${src}${s1}${dst}`
    return `${stamp} ${host}ipfw: ${rule} ${action} ${proto}${addrs}${s2}${tail}`
  })
const otherLine = fc.constantFrom(
  'last message repeated 3 times',
  'Mar  5 08:00:01 gw syslogd: last message repeated 2 times',
  '2024-03-05T08:00:02+00:00 gw kernel: ipfw: limit 5 reached on entry 100',
  "Mar  5 08:00:03 gw syslog-ng[1]: Last message 'ipfw: 100 Count TCP 1' repeated 2 times, suppressed by syslog-ng on gw",
  '2024-03-05T08:00:04+00:00 gw kernel: message repeated 2 times: [ ipfw: 100 Count TCP 10.9.0.77:40000 8.8.8.8:53 in via em0]',
  'Mar  5 08:00:05 gw sshd[5]: Accepted publickey for x from 10.0.0.1 port 22',
)
const line = fc.oneof({weight: 6, arbitrary: packetLine}, {weight: 1, arbitrary: otherLine})

/** the format with its full parser only: what both fast paths are compared with */
const full = {...ipfw, parse: parseFull}
const lines = fc.array(line, {minLength: 1, maxLength: 25})
const ZONES = ['UTC', 'Europe/Berlin', 'America/Sao_Paulo']

describe('ipfw parse() fast path', () => {
  it('gives the same records as the full parser (DST alternative instants, syslog repeats of its lines included), with the same clock and malformed reports', () => {
    assertParseEqualsFull(ipfw, parseFull, lines, ZONES, (ctx, no) => (ctx.state.ipfwFast as {line: number} | undefined)?.line === no)
  })
})

describe('ipfw scan fast path', () => {
  it('gives the detector exactly what the full parser gives, line for line, with the same clock and malformed reports', () => {
    assertFastEqualsFull(full, lines, ZONES)
  })

  it('reads the usual packet lines itself (RFC 3339 and BSD stamps, TCP/UDP/ICMP, inside and outside sources)', () => {
    const lines = [
      '2024-03-05T08:00:00.002+00:00 gw kernel: ipfw: 100 Count TCP 10.9.0.77:40001 203.0.113.9:23 in via em1',
      '2024-03-05T08:00:00.003+00:00 gw kernel: ipfw: 100 Count TCP 203.0.113.9:23 10.9.0.77:40001 out via em1',
      'Mar  5 09:00:00 gw kernel: ipfw: 100 Forward to 10.0.0.1:3128 UDP 198.51.100.2:5353 8.8.8.8:53 out via em0',
      'Mar  5 09:00:00 gw kernel: ipfw: 100 Deny ICMP:8.0 192.168.1.20 8.8.8.8 in via em0',
    ]
    const r = readBoth(full, lines, makeCtx('Europe/Berlin'), makeCtx('Europe/Berlin'))
    expect(r.fastLines).toEqual([1, 2, 3, 4])
    expect(r.fast).toEqual(r.full)
    expect(r.fast.map((x) => x![0]!.evidence.role)).toEqual(['outbound packet', 'reply packet', 'packet', 'outbound packet'])
  })

  it('still rebuilds a syslog repeat of a line the fast path read', () => {
    const lines = [
      'Mar  5 09:00:00 gw kernel: ipfw: 100 Count TCP 10.9.0.77:40001 203.0.113.9:23 in via em1',
      'Mar  5 09:00:31 gw syslogd: last message repeated 4 times',
      'Mar  5 09:01:01 gw syslogd: last message repeated 2 times',
    ]
    const r = readBoth(full, lines, makeCtx(), makeCtx())
    expect(r.fastLines).toEqual([1])
    expect(r.fast).toEqual(r.full)
    expect(r.fast[2]![0]).toMatchObject({insideIp: '10.9.0.77', evidence: {line: 3, role: 'outbound packet (syslog repeat of line 1)'}})
  })
})
