import {describe, expect, it} from 'vitest'
import fc from 'fast-check'
import {buildHoldings, DEFAULT_ASSUMED_LEASE_MS, DEFAULT_GRACE_MS} from '../../src/lease/holdings.js'
import type {LeaseEvent, LeaseEventKind} from '../../src/model.js'
import {readFixture, utc} from './helpers.js'

let n = 0
function ev(event: LeaseEventKind, time: string | number, mac: string | null, more: Partial<LeaseEvent> = {}): LeaseEvent {
  n++
  return {
    event, time: typeof time === 'number' ? time : utc(time), ip: more.ip ?? '10.0.0.5', mac, hostname: null, subscriber: null,
    leaseEnd: null, evidence: {file: 'f', line: n, text: `${event} ${mac} ${time}`}, ...more,
  }
}
const A = 'aa:aa:aa:aa:aa:01'
const B = 'bb:bb:bb:bb:bb:02'

describe('holdings', () => {
  it('merges renewals of the same MAC into one holding with every record as evidence', () => {
    const h = buildHoldings([
      ev('assign', '2013-06-18T10:00:00Z', A),
      ev('renew', '2013-06-18T10:30:00Z', A),
      ev('renew', '2013-06-18T11:00:00Z', A),
    ])
    const ps = h.periods('10.0.0.5')
    expect(ps).toHaveLength(1)
    expect(ps[0]!.start).toBe(utc('2013-06-18T10:00:00Z'))
    expect(ps[0]!.end).toBe(utc('2013-06-18T11:00:00Z') + DEFAULT_ASSUMED_LEASE_MS)
    expect(ps[0]!.endHow).toBe('assumed-lease-time')
    expect(ps[0]!.evidence).toHaveLength(3)
    const r = h.lookup('10.0.0.5', utc('2013-06-18T11:20:00Z'))
    expect(r.holders.map((p) => p.mac)).toEqual([A])
    expect(r.reason).toMatch(/assumed: 1 h after its last grant/)
  })

  it('maps traffic before a reassignment to the earlier MAC and after it to the later one', () => {
    const h = buildHoldings([
      ev('lease', '2013-06-18T10:00:00Z', A, {leaseEnd: utc('2013-06-18T14:00:00Z')}),
      ev('lease', '2013-06-18T12:00:00Z', B, {leaseEnd: utc('2013-06-18T16:00:00Z')}),
    ])
    expect(h.lookup('10.0.0.5', utc('2013-06-18T11:59:59Z')).holders.map((p) => p.mac)).toEqual([A])
    expect(h.lookup('10.0.0.5', utc('2013-06-18T12:00:00Z')).holders.map((p) => p.mac)).toEqual([B])
    expect(h.lookup('10.0.0.5', utc('2013-06-18T13:00:00Z')).holders.map((p) => p.mac)).toEqual([B])
    expect(h.periods('10.0.0.5')[0]).toMatchObject({mac: A, endHow: 'reassigned', end: utc('2013-06-18T12:00:00Z')})
  })

  it('does not blame the current lease holder for traffic before its lease started', () => {
    const h = buildHoldings([ev('lease', '2013-06-18T18:40:12Z', B, {leaseEnd: utc('2013-06-18T20:40:12Z')})])
    const r = h.lookup('10.0.0.5', utc('2013-06-18T18:53:34Z') - 3 * 3600_000)
    expect(r.holders).toEqual([])
    expect(r.reason).toBe(
      'lease history for 10.0.0.5 starts at 2013-06-18T18:40:12Z, after 2013-06-18T15:53:34Z: the first known holder (MAC bb:bb:bb:bb:bb:02, f:' +
        h.periods('10.0.0.5')[0]!.evidence[0]!.line + ') is no evidence for earlier traffic',
    )
  })

  it('says there is no record for an IP the sources never mention', () => {
    const r = buildHoldings([]).lookup('192.168.0.23', 0)
    expect(r).toEqual({holders: [], reason: 'no lease record for 192.168.0.23 in the lease sources'})
  })

  it('closes a holding at DHCPRELEASE without grace', () => {
    const h = buildHoldings([ev('assign', '2013-06-18T10:00:00Z', A), ev('release', '2013-06-18T10:20:00Z', A)])
    expect(h.lookup('10.0.0.5', utc('2013-06-18T10:19:00Z')).holders).toHaveLength(1)
    const r = h.lookup('10.0.0.5', utc('2013-06-18T10:21:00Z'))
    expect(r.holders).toEqual([])
    expect(r.reason).toBe(`last lease of 10.0.0.5 (MAC ${A}) ended at 2013-06-18T10:20:00Z (release), before 2013-06-18T10:21:00Z; no later lease record`)
  })

  it('keeps the holder for the grace after a lease end, but never into the next holder', () => {
    const h = buildHoldings([
      ev('lease', '2013-06-18T10:00:00Z', A, {leaseEnd: utc('2013-06-18T11:00:00Z')}),
      ev('lease', '2013-06-18T11:02:00Z', B, {leaseEnd: utc('2013-06-18T12:00:00Z')}),
      ev('lease', '2013-06-18T13:00:00Z', A, {leaseEnd: utc('2013-06-18T14:00:00Z')}),
    ])
    const g = h.lookup('10.0.0.5', utc('2013-06-18T11:01:00Z'))
    expect(g.holders.map((p) => p.mac)).toEqual([A])
    expect(g.inGrace).toBe(true)
    expect(g.reason).toMatch(/within the 5 min grace/)
    expect(h.lookup('10.0.0.5', utc('2013-06-18T11:02:00Z')).holders.map((p) => p.mac)).toEqual([B])
    expect(h.lookup('10.0.0.5', utc('2013-06-18T12:04:59Z')).holders.map((p) => p.mac)).toEqual([B])
    const gap = h.lookup('10.0.0.5', utc('2013-06-18T12:06:00Z'))
    expect(gap.holders).toEqual([])
    expect(gap.reason).toMatch(/ended at 2013-06-18T12:00:00Z \(lease-end\) \(beyond the 5 min grace\), before .*the next holder \(MAC aa:aa:aa:aa:aa:01\) starts at 2013-06-18T13:00:00Z/)
    expect(DEFAULT_GRACE_MS).toBe(300_000)
  })

  it('does not merge two leases of one MAC across a gap longer than the grace', () => {
    const h = buildHoldings([
      ev('lease', '2013-06-18T10:00:00Z', A, {leaseEnd: utc('2013-06-18T11:00:00Z')}),
      ev('lease', '2013-06-18T13:00:00Z', A, {leaseEnd: utc('2013-06-18T14:00:00Z')}),
    ])
    expect(h.periods('10.0.0.5')).toHaveLength(2)
    expect(h.lookup('10.0.0.5', utc('2013-06-18T12:00:00Z')).holders).toEqual([])
  })

  it('returns both clients when two sources claim the address at once', () => {
    const h = buildHoldings([
      ev('lease', '2013-06-18T10:00:00Z', A, {leaseEnd: utc('2013-06-18T12:00:00Z')}),
      ev('assign', '2013-06-18T10:30:00Z', B),
      ev('renew', '2013-06-18T11:00:00Z', A),
    ])
    const r = h.lookup('10.0.0.5', utc('2013-06-18T10:45:00Z'))
    expect(r.holders.map((p) => p.mac).sort()).toEqual([A, B])
    expect(r.reason).toMatch(/^conflicting lease sources: at 2013-06-18T10:45:00Z 10\.0\.0\.5 is claimed by 2 clients/)
    // before the second claim there is no doubt
    expect(h.lookup('10.0.0.5', utc('2013-06-18T10:10:00Z')).holders.map((p) => p.mac)).toEqual([A])
  })

  it('lets a static entry conflict with a dynamic lease instead of being cut by it', () => {
    const h = buildHoldings([
      ev('static', '2013-01-01T00:00:00Z', A, {subscriber: 'cust-17'}),
      ev('assign', '2013-06-18T10:30:00Z', B),
    ])
    expect(h.lookup('10.0.0.5', utc('2013-03-01T00:00:00Z')).holders.map((p) => p.subscriber)).toEqual(['cust-17'])
    expect(h.lookup('10.0.0.5', utc('2013-06-18T10:40:00Z')).holders).toHaveLength(2)
  })

  it('extends an assumed end to a later expire of the same client, and an expire closes a known lease early', () => {
    const h = buildHoldings([ev('assign', '2013-06-18T10:00:00Z', A), ev('expire', '2013-06-18T13:00:00Z', A)])
    expect(h.periods('10.0.0.5')).toEqual([expect.objectContaining({end: utc('2013-06-18T13:00:00Z'), endHow: 'expire'})])
    const k = buildHoldings([
      ev('lease', '2013-06-18T10:00:00Z', A, {leaseEnd: utc('2013-06-18T12:00:00Z')}),
      ev('lease', '2013-06-18T10:00:00Z', A, {leaseEnd: utc('2013-06-18T10:40:00Z')}),
      ev('expire', '2013-06-18T10:40:00Z', A),
    ])
    expect(k.periods('10.0.0.5')[0]).toMatchObject({end: utc('2013-06-18T10:40:00Z'), endHow: 'expire'})
  })

  it('reports an abandoned address as held by an unknown device', () => {
    const h = buildHoldings([ev('lease', '2013-06-18T10:00:00Z', null, {leaseEnd: utc('2013-06-18T10:00:00Z')})])
    const r = h.lookup('10.0.0.5', utc('2013-06-18T10:00:00Z'))
    expect(r.holders[0]!.mac).toBeNull()
    expect(r.reason).toMatch(/unknown device/)
  })

  it('uses the given grace and assumed lease length', () => {
    const h = buildHoldings([ev('assign', '2013-06-18T10:00:00Z', A)], {assumedLeaseMs: 600_000, graceMs: 0})
    expect(h.lookup('10.0.0.5', utc('2013-06-18T10:10:00Z')).holders).toHaveLength(1)
    expect(h.lookup('10.0.0.5', utc('2013-06-18T10:10:01Z')).holders).toHaveLength(0)
    expect(h.coverage()).toEqual({first: utc('2013-06-18T10:00:00Z'), last: utc('2013-06-18T10:00:00Z')})
  })

  it('attributes the seed scenario from lease file + syslog: earlier traffic to the earlier MAC', async () => {
    const {events} = await readFixture(['isc-reassigned/dhcpd.leases', 'isc-reassigned/messages'])
    const h = buildHoldings(events)
    // 15:53:34 -03:00 = 18:53:34Z: maria-note (lease block 18:40:12Z, DHCPACK 15:40:12 local)
    const now = h.lookup('192.168.0.23', utc('2013-06-18T18:53:34Z'))
    expect(now.holders.map((p) => p.hostname)).toEqual(['maria-note'])
    expect(now.holders[0]!.evidence.map((e) => e.file.split('/').pop()).sort()).toEqual(['dhcpd.leases', 'messages'])
    // 12:00 -03:00 = 15:00Z: joao-pc (DHCPACK 11:02 and renewals, lease blocks)
    expect(h.lookup('192.168.0.23', utc('2013-06-18T15:00:00Z')).holders.map((p) => p.mac)).toEqual(['00:1e:c2:aa:bb:cc'])
    // after joao's release (12:31:40 local = 15:31:40Z) and before maria: nobody
    const gap = h.lookup('192.168.0.23', utc('2013-06-18T17:00:00Z'))
    expect(gap.holders).toEqual([])
    expect(gap.reason).toMatch(/^last lease of 192\.168\.0\.23 \(MAC 00:1e:c2:aa:bb:cc, host joao-pc\) ended at/)
  })

  it('never returns a holder whose first evidence is after the instant (property)', () => {
    const macs = [A, B, 'cc:cc:cc:cc:cc:03', null]
    const kinds: LeaseEventKind[] = ['lease', 'assign', 'renew', 'release', 'expire', 'start', 'interim', 'stop', 'static']
    const base = utc('2013-06-18T00:00:00Z')
    const evArb = fc.record({
      kind: fc.constantFrom(...kinds),
      t: fc.integer({min: 0, max: 48 * 3600}),
      mac: fc.constantFrom(...macs),
      len: fc.option(fc.integer({min: 0, max: 6 * 3600}), {nil: null}),
    })
    fc.assert(
      fc.property(fc.array(evArb, {maxLength: 25}), fc.integer({min: -3600, max: 60 * 3600}), (arr, q) => {
        const evs = arr.map((a) => ev(a.kind, base + a.t * 1000, a.mac, {leaseEnd: a.len === null ? null : base + (a.t + a.len) * 1000}))
        const h = buildHoldings(evs)
        const T = base + q * 1000
        const r = h.lookup('10.0.0.5', T)
        for (const p of r.holders) {
          expect(p.start).toBeLessThanOrEqual(T)
          const firstEvidence = Math.min(...p.evidence.map((e) => evs.find((x) => x.evidence === e)!.time))
          expect(firstEvidence).toBeLessThanOrEqual(T)
          expect(p.start).toBe(firstEvidence)
        }
        if (r.holders.length === 0) expect(r.reason).toMatch(/^(no lease|lease history|last lease|no lease of)/)
      }),
      {numRuns: 300},
    )
  })
})

describe('holdings: identities', () => {
  it('does not merge two subscribers behind one CPE MAC: earlier traffic names the earlier account', () => {
    const h = buildHoldings([
      ev('start', '2013-06-18T10:00:00Z', A, {subscriber: 'ana'}),
      // ana's Stop was lost: bruno's Start on the same CPE must not rename ana's session
      ev('start', '2013-06-18T10:30:05Z', A, {subscriber: 'bruno'}),
      ev('interim', '2013-06-18T10:40:00Z', A, {subscriber: 'bruno'}),
    ])
    expect(h.lookup('10.0.0.5', utc('2013-06-18T10:20:00Z')).holders.map((p) => p.subscriber)).toEqual(['ana'])
    expect(h.lookup('10.0.0.5', utc('2013-06-18T10:35:00Z')).holders.map((p) => p.subscriber)).toEqual(['bruno'])
  })

  it('applies a MAC-only expiry to that MAC\'s current account', () => {
    const h = buildHoldings([ev('start', '2013-06-18T10:00:00Z', A, {subscriber: 'ana'}), ev('expire', '2013-06-18T10:20:00Z', A)])
    expect(h.periods('10.0.0.5')).toEqual([expect.objectContaining({subscriber: 'ana', endHow: 'expire', end: utc('2013-06-18T10:20:00Z')})])
  })
})

describe('holdings: two records of one end', () => {
  it('takes the syslog DHCPRELEASE over the lease file\'s free block at the same instant: no grace after a release', () => {
    const h = buildHoldings([
      ev('lease', '2013-06-18T10:00:00Z', A, {leaseEnd: utc('2013-06-18T10:20:00Z')}),
      ev('expire', '2013-06-18T10:20:00Z', A),
      ev('release', '2013-06-18T10:20:00Z', A),
    ])
    expect(h.periods('10.0.0.5')).toEqual([expect.objectContaining({endHow: 'release', end: utc('2013-06-18T10:20:00Z')})])
    expect(h.periods('10.0.0.5')[0]!.evidence).toHaveLength(3)
    expect(h.lookup('10.0.0.5', utc('2013-06-18T10:22:00Z')).holders).toEqual([])
  })
})

describe('holdings: agreeing sources', () => {
  it('does not call a static entry and a DHCP lease of the same client a conflict', () => {
    const h = buildHoldings([
      ev('static', '2013-01-01T00:00:00Z', A, {subscriber: 'cust-17'}),
      ev('static', '2013-01-01T00:00:00Z', A, {subscriber: 'cust-17'}),
      ev('start', '2013-06-18T10:30:00Z', A, {subscriber: 'cust-17'}),
    ])
    const r = h.lookup('10.0.0.5', utc('2013-06-18T10:40:00Z'))
    expect(r.holders).toHaveLength(1)
    expect(r.holders[0]!.subscriber).toBe('cust-17')
  })
})
