/**
 * Cross-checks between lease sources that catch a wrong zone for zone-less logs — the mistake that moves
 * every DHCPACK by whole hours and so hands an address to the wrong client.
 *
 * A server writes the same grant twice when both its lease database (UTC / epoch: zone-proof) and its log
 * (local time, read in --dhcp-tz or the system zone) are given: dhcpd.leases `starts` = the DHCPACK instant,
 * Kea CSV cltt = the DHCP4_LEASE_ALLOC instant. When several grants of the same IP and MAC sit in both, all
 * exactly N hours (or N×15 min) apart and none at the same second, the log's zone is almost certainly wrong.
 */
import type {LeaseEvent} from '../model.js'
import type {SourceResult} from '../io/source.js'

export interface ZoneHint {
  /** the zone-less file whose times look shifted */
  file: string
  /** log time − database time, minutes */
  shiftMinutes: number
  /** grants seen in both with that shift */
  matches: number
  text: string
}

const GRANTS = new Set(['assign', 'renew', 'lease'])

export function zoneHints(results: SourceResult<LeaseEvent>[]): ZoneHint[] {
  // zone-proof grant instants per ip|mac
  const anchor = new Map<string, Set<number>>()
  for (const r of results) {
    if (r.zone.how !== 'format' && r.zone.how !== 'epoch') continue
    for (const e of r.records) {
      if (!GRANTS.has(e.event) || !e.mac) continue
      const k = `${e.ip}|${e.mac}`
      let s = anchor.get(k)
      if (!s) anchor.set(k, (s = new Set()))
      s.add(e.time)
    }
  }
  const hints: ZoneHint[] = []
  if (anchor.size === 0) return hints
  for (const r of results) {
    if (r.zone.how === 'format' || r.zone.how === 'epoch' || r.zone.how === 'stated') continue
    let exact = 0
    const shifts = new Map<number, number>()
    for (const e of r.records) {
      if (!GRANTS.has(e.event) || !e.mac) continue
      const s = anchor.get(`${e.ip}|${e.mac}`)
      if (!s) continue
      if (s.has(e.time)) {
        exact++
        continue
      }
      for (const t of s) {
        const d = e.time - t
        if (d !== 0 && d % 900_000 === 0 && Math.abs(d) <= 14 * 3600_000) shifts.set(d, (shifts.get(d) ?? 0) + 1)
      }
    }
    if (exact > 0) continue
    let best: [number, number] | undefined
    for (const [d, n] of shifts) if (!best || n > best[1]) best = [d, n]
    if (!best || best[1] < 2) continue
    const min = best[0] / 60_000
    const h = `${min > 0 ? '+' : '-'}${Math.floor(Math.abs(min) / 60)}h${Math.abs(min) % 60 ? String(Math.abs(min) % 60).padStart(2, '0') : ''}`
    hints.push({
      file: r.file.display,
      shiftMinutes: min,
      matches: best[1],
      text: `${r.file.display}: its times (read in ${r.zone.zone}) are ${h} off the lease database for ${best[1]} grants of the same IP and MAC, and never equal: the zone of this log is probably not ${r.zone.zone} — check --dhcp-tz`,
    })
  }
  return hints
}
