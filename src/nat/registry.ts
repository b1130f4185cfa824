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
import {ciscoAsa} from './formats/cisco-asa.js'
import {ciscoIos} from './formats/cisco-ios.js'
import {juniperSrx} from './formats/juniper-srx.js'
import {juniperPba} from './formats/juniper-pba.js'
import {fortigate} from './formats/fortigate.js'
import {panos} from './formats/panos.js'
import {f5Lsn} from './formats/f5-lsn.js'

export type NatFormat = LineFormat<NatEvent>

export const natFormats: NatFormat[] = [
  ipfw,
  conntrack,
  mikrotik,
  iptables,
  pf,
  ulogd,
  ciscoAsa,
  ciscoIos,
  juniperSrx,
  juniperPba,
  fortigate,
  panos,
  f5Lsn,
]
