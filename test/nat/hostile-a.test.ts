/** Hostile and overlong lines against the part-A formats: bounded work, no throw, never a record. */
import {describe, expect, it} from 'vitest'
import {natFormats} from '../../src/nat/registry.js'
import {makeCtx} from './helpers.js'

const mine = natFormats.filter((f) => ['ipfw', 'conntrack', 'mikrotik', 'iptables', 'pf', 'ulogd'].includes(f.name))
const H = 'Mar  3 21:14:02 gw '
const hostile = [
  H + 'kernel: ipfw: 1 ' + 'Count TCP '.repeat(700),
  H + 'kernel: ipfw: 1 Count TCP ' + '10.0.0.1:1 '.repeat(700),
  H + 'firewall,info forward: in:' + 'a in:b out:'.repeat(700),
  H + 'firewall,info forward: in:x out:y, proto TCP, ' + '1.1.1.1:1->'.repeat(700),
  H + 'firewall,info forward: in:x out:y, proto TCP, 10.0.0.1:1->203.0.113.1:80, NAT ' + '(a->b)->'.repeat(700) + ', len 60',
  '[1772572442.1] [NEW] tcp 6 120 SYN_SENT ' + 'src=1.1.1.1 '.repeat(700),
  H + 'kernel: IN=eth0 OUT= ' + 'SRC=1.1.1.1 DST= PROTO= '.repeat(300),
  H + 'filterlog[1]: ' + '1,'.repeat(4000),
  '{"timestamp": "2026-03-03T22:14:02+0100", "orig.ip.saddr.str": "' + 'x'.repeat(20000) + '"}',
  H + '[NEW] ORIG: ' + 'SRC=1.1.1.1 '.repeat(600) + ', REPLY: ' + 'DST=2.2.2.2 '.repeat(600),
]

describe('part-A formats on hostile lines', () => {
  it('read them in bounded time, never throw and never turn them into events', () => {
    const t0 = Date.now()
    for (const f of mine) {
      const ctx = makeCtx()
      for (const [i, text] of hostile.entries()) expect(f.parse({no: i + 1, text}, ctx), `${f.name} on hostile line ${i + 1}`).toBeNull()
      expect(f.flush?.(ctx) ?? []).toEqual([])
    }
    // generous bound: catastrophic backtracking would take minutes, not seconds
    expect(Date.now() - t0).toBeLessThan(10_000)
  })

  it('report an overlong line of their own as malformed', () => {
    const ctx = makeCtx()
    const ipfw = mine.find((f) => f.name === 'ipfw')!
    expect(ipfw.parse({no: 7, text: H + 'kernel: ipfw: 1 Count TCP 10.0.0.1:1 203.0.113.1:80 in via em0' + ' '.repeat(9000)}, ctx)).toBeNull()
    expect(ctx.bad).toEqual([{line: 7, reason: 'ipfw line longer than 8192 characters: not read'}])
  })
})
