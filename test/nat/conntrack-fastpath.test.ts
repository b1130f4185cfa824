import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {conntrack, parseFull} from '../../src/nat/formats/conntrack.js'
import {assertFastEqualsFull, readBoth} from '../scan/fastpath-check.js'
import {assertParseEqualsFull} from './fastparse-check.js'
import {makeCtx} from './helpers.js'

/** mostly a usual value, sometimes an ugly one */
const mostly = <T,>(good: T[], ugly: T[]) => fc.oneof({weight: 20, arbitrary: fc.constantFrom(...good)}, {weight: 1, arbitrary: fc.constantFrom(...ugly)})

const stamp = mostly(
  ['[1709625600.123456]', '[1709625601.000001]', '[1338987414.52626 ]', '[1338987414.5     ]', '[1709625600.999999]', '[170962560.5]', '[17096256001.000000]'],
  ['[1709625600]', '[ 1709625600.1]', '[1709625600.]', '[1709625600.1234567]', '[17096256.1]', '[1709625600.12\t]', '', '[Tue Mar  5 08:00:00 2024]', '[1709625600.1x]'],
)
const lead = mostly(['', '', '   '], ['\t', 'Mar  5 08:00:00 gw conntrack: ', 'Tue Mar  5 08:00:00 2024\t'])
const gap = mostly(['\t    ', '\t', ' '], ['', '\t\u00a0'])
const tag = mostly(['[NEW]', '[DESTROY]', '[UPDATE]'], ['', '[new]', '[NEW]x'])
const proto = mostly(
  ['tcp      6', 'udp      17', 'icmp     1', 'tcp 6', 'udp\t17'],
  ['unknown  255', 'sctp     132', 'dccp     33', 'ipv4     2 tcp      6', 'ipv6     10 udp      17', 'gre      47', 'tcp      0006', 'tcp6', 'Tcp 6', 'tcp      6x', 'udplite  136'],
)
const mid = mostly(['', '120 SYN_SENT', '30', '431999 ESTABLISHED'], ['[UNREPLIED]', 'dst=1.1.1.1', 'delta-time=4'])
const ip = mostly(
  ['10.9.0.77', '192.168.1.20', '203.0.113.7', '198.51.100.20', '8.8.8.8', '100.64.0.9'],
  ['010.1.2.3', '256.1.1.1', '2001:db8::1', '', '1.2.3', '10.0.0.1x'],
)
const port = mostly(['1', '23', '443', '6881', '40000', '65535'], ['', '0', '65536', '080', 'x', '123456'])
/** a tuple's tokens: usually src dst sport dport, sometimes reordered, repeated or missing one */
const tuple = fc.record({src: ip, dst: ip, sport: port, dport: port, shape: mostly(['std'], ['no-dst', 'no-sport', 'twice-dst', 'dport-first', 'icmp'])}).map(({src, dst, sport, dport, shape}) => {
  if (shape === 'no-dst') return `src=${src} sport=${sport} dport=${dport}`
  if (shape === 'no-sport') return `src=${src} dst=${dst} dport=${dport}`
  if (shape === 'twice-dst') return `src=${src} dst=${dst} dst=8.8.4.4 sport=${sport} dport=${dport}`
  if (shape === 'dport-first') return `dport=${dport} src=${src} dst=${dst} sport=${sport}`
  if (shape === 'icmp') return `src=${src} dst=${dst} type=8 code=0 id=1234`
  return `src=${src} dst=${dst} sport=${sport} dport=${dport}`
})
const flags = mostly(['', '[UNREPLIED]', 'packets=1 bytes=60', 'packets=1 bytes=60 [UNREPLIED]'], ['[ASSURED]', '[UNREPLIED]x', '[ASSURED!', '[UNREPLIE]]', '[start=Tue Mar  5 08:00:00 2024]'])
const tail = mostly(
  ['', '[ASSURED]', 'mark=0', '[ASSURED] mark=0 delta-time=120', 'packets=0 bytes=0 mark=0 delta-time=3', 'mark=0 zone=3 use=1', 'delta-time=1.5'],
  ['delta-time=', 'delta-time=-3', 'delta-time=x', 'delta-time=1e3', '[start=Tue Mar  5 08:00:00 2024] [stop=Tue Mar  5 08:02:00 2024]', 'src=9.9.9.9 delta-time=7', 'src=9.9.9.9 delta-time=7\u00a0x', 'src=9.9.9.9\tdelta-time=7', 'src=9.9.9.9 dst=1.1.1.1\u2003delta-time=7', '[ASSURED]\r', 'mark=0\u00a0src=1.1.1.1', '[ASSURED] ', ' ', 'x'.repeat(8200)],
)
const line = fc
  .record({lead, stamp, gap, tag, proto, mid, orig: tuple, flags, repl: tuple, tail, sep: mostly([' '], ['  ', '\t', '\v'])})
  .map(({lead, stamp, gap, tag, proto, mid, orig, flags, repl, tail, sep}) =>
    `${lead}${stamp}${gap}${tag} ${[proto, mid, orig, flags, repl, tail].filter((x) => x !== '').join(sep)}`,
  )
const other = fc.constantFrom('Mar  5 08:00:00 gw sshd[5]: Accepted publickey for x from 10.0.0.1 port 22', 'ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=8.8.8.8 sport=1 dport=2 src=8.8.8.8 dst=1.1.1.1 sport=2 dport=1 [ASSURED] mark=0 use=2', '')

/** the format with its full parser only: what both fast paths are compared with */
const full = {...conntrack, parse: parseFull}
const lines = fc.array(fc.oneof({weight: 9, arbitrary: line}, {weight: 1, arbitrary: other}), {minLength: 1, maxLength: 20})

describe('conntrack parse() fast path', () => {
  it('gives the same records as the full parser, field for field and in the same key order, with the same clock and malformed reports', () => {
    assertParseEqualsFull(conntrack, parseFull, lines, ['UTC', 'Europe/Berlin'], (ctx, no) => (ctx.state.conntrackFast as {line: number} | undefined)?.line === no)
  })
})

describe('conntrack scan fast path', () => {
  it('gives the detector exactly what the full parser gives, line for line, with the same clock and malformed reports', () => {
    assertFastEqualsFull(full, lines, ['UTC', 'Europe/Berlin'])
  })

  it('reads -E -o timestamp NEW / DESTROY / UPDATE events itself: source NAT, port forward, ICMP', () => {
    const lines = [
      '[1709625600.123456]\t    [NEW] tcp      6 120 SYN_SENT src=10.9.0.77 dst=198.51.100.20 sport=40000 dport=23 [UNREPLIED] src=198.51.100.20 dst=203.0.113.7 sport=23 dport=40000',
      '[1709625603.000001]\t[DESTROY] tcp      6 src=10.9.0.77 dst=198.51.100.20 sport=40000 dport=23 packets=1 bytes=60 [UNREPLIED] src=198.51.100.20 dst=203.0.113.7 sport=23 dport=40000 packets=0 bytes=0 mark=0 delta-time=3',
      '[1709625604.5     ]\t [UPDATE] tcp      6 60 SYN_RECV src=198.51.100.9 dst=203.0.113.7 sport=51000 dport=443 src=10.9.0.5 dst=198.51.100.9 sport=443 dport=51000 mark=0',
      '[1709625605.000000]\t    [NEW] icmp     1 30 src=10.9.0.77 dst=8.8.8.8 type=8 code=0 id=77 [UNREPLIED] src=8.8.8.8 dst=203.0.113.7 type=0 code=0 id=77',
    ]
    const r = readBoth(full, lines, makeCtx(), makeCtx())
    expect(r.fastLines).toEqual([1, 2, 3, 4])
    expect(r.fast).toEqual(r.full)
    expect(r.fast[1]![0]).toMatchObject({kind: 'session-end', time: 1709625600000, replied: false, evidence: {role: 'conntrack DESTROY', line: 2}})
    expect(r.fast[2]![0]).toMatchObject({kind: 'mapping', insideIp: '10.9.0.5', insidePort: 443, outsideIp: '203.0.113.7', destIp: '198.51.100.9'})
  })
})
