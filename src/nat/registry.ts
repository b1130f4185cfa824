/**
 * Every NAT / firewall log format natrace reads. Adding a vendor = one module in ./formats + its line here.
 * Order matters only for ties in detection and for line-by-line reading of mixed syslog files.
 */
import type {LineFormat} from '../io/format.js'
import type {NatEvent} from '../model.js'
import {ipfw} from './formats/ipfw.js'
import {conntrack} from './formats/conntrack.js'
import {mikrotik} from './formats/mikrotik.js'
import {iptables} from './formats/iptables.js'
import {pf} from './formats/pf.js'
import {ulogd} from './formats/ulogd.js'

export type NatFormat = LineFormat<NatEvent>

export const natFormats: NatFormat[] = [
  ipfw,
  conntrack,
  mikrotik,
  iptables,
  pf,
  ulogd,
]
