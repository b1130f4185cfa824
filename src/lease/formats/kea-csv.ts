/**
 * Kea memfile lease file (`kea-leases4.csv` and its LFC side files `.1`, `.2`, `.completed`):
 *
 *   address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id
 *   192.168.0.23,00:1e:c2:aa:bb:cc,01:00:1e:c2:aa:bb:cc,3600,1371584412,1,0,0,joao-pc,0,,0
 *
 * Columns are read by the header (old Kea files have fewer: no state, no user_context, no pool_id).
 * The file is a journal: every change is appended, LFC compacts it to the newest row per address.
 * `expire` is an epoch = cltt + valid_lifetime, so a row says: hwaddr held the address from cltt to expire.
 * - state 0 (default): `lease` [cltt, expire].
 * - state 2 (expired-reclaimed): the past lease of that hwaddr: `lease` [cltt, expire] + `expire` at expire.
 * - state 1 (declined): Kea clears the hwaddr; an unknown device answered for the address at cltt:
 *   a `lease` with mac null at that instant.
 * - valid_lifetime 0: the lease was deleted (release / lease4-del). Kea keeps the old cltt in such a row, so
 *   the deletion time is NOT known; we only take "the holding had ended by cltt + 0" as a `release` at
 *   expire (= cltt). That can only shorten the holding (never blame longer than proven).
 * - other states (released in newer Kea, registered): `release` at expire, same reasoning.
 * Hostnames and user_context escape commas as "&#x2c".
 */
import type {LeaseFormat} from '../registry.js'
import type {LeaseEvent} from '../../model.js'
import {cleanHostname, clientIp, csvFields, evidenceOf, leaseEvent, macOf, unescapeNumeric} from '../common.js'

interface KeaState {
  cols?: Map<string, number>
}

export const keaCsv: LeaseFormat = {
  name: 'kea-csv',
  description: 'Kea memfile lease file kea-leases4.csv (+ .1/.2/.completed); epoch times',
  // every row names its address; the header (column order) is kept whatever the pre-filter
  prefilter: true,
  prefilterKeep: ['address,hwaddr,'],
  // a journal is appended in change order (renewals rewrite old addresses), LFC output is sorted by address
  timeOrdered: false,
  fixedZone: 'UTC',
  detect(sample) {
    const h = sample.find((l) => l.trim() !== '')
    return h && /^address,hwaddr,client_id,valid_lifetime,expire,subnet_id/.test(h.trim()) ? 0.98 : 0
  },
  parse(line, ctx) {
    const st = ((ctx.state.kea as KeaState) ??= {})
    const t = line.text.trim()
    if (t === '') return null
    if (t.startsWith('address,')) {
      st.cols = new Map(t.split(',').map((c, i) => [c.trim(), i]))
      return null
    }
    if (!st.cols) return null
    const f = csvFields(t)
    const col = (name: string) => {
      const i = st.cols!.get(name)
      return i === undefined ? undefined : f?.[i]?.trim()
    }
    const ipText = col('address')
    const ip = clientIp(ipText)
    const valid = Number(col('valid_lifetime'))
    const expire = Number(col('expire'))
    if (!f || !ip || !Number.isFinite(valid) || !Number.isFinite(expire) || col('expire') === '' || col('valid_lifetime') === '') {
      ctx.malformed(line, `Kea lease row not understood (address "${ipText ?? ''}")`)
      return null
    }
    const stateText = col('state')
    const state = stateText === undefined || stateText === '' ? 0 : Number(stateText)
    const mac = macOf(col('hwaddr'))
    const hostname = cleanHostname(unescapeNumeric(col('hostname') ?? ''))
    const endMs = expire * 1000
    const cltt = (expire - valid) * 1000
    const ev = (role: string) => evidenceOf(ctx, line, role)
    const out: LeaseEvent[] = []
    if (valid === 0 || (state !== 0 && state !== 1 && state !== 2)) {
      if (!mac) return []
      out.push(leaseEvent({event: 'release', time: endMs, ip, mac, hostname}, ev(valid === 0 ? 'lease deleted (valid_lifetime 0)' : `lease state ${state}`)))
      return out
    }
    if (state === 1) {
      out.push(leaseEvent({event: 'lease', time: cltt, ip, mac: null, leaseEnd: cltt}, ev('declined (address in use by an unknown device)')))
      return out
    }
    if (!mac) {
      ctx.malformed(line, `Kea lease row for ${ip} without a hardware address`)
      return null
    }
    out.push(leaseEvent({event: 'lease', time: cltt, ip, mac, hostname, leaseEnd: endMs}, ev(state === 2 ? 'expired-reclaimed lease' : 'lease')))
    if (state === 2) out.push(leaseEvent({event: 'expire', time: endMs, ip, mac, hostname}, ev('expired-reclaimed lease')))
    return out
  },
}
