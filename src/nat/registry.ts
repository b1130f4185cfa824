/**
 * Every NAT / firewall log format natrace reads. Adding a vendor = one module in ./formats + its line here.
 * Order matters only for ties in detection and for line-by-line reading of mixed syslog files.
 */
import type {Line} from '../io/lines.js'
import type {LineFormat, ParseContext} from '../io/format.js'
import type {NatEvent} from '../model.js'
import type {ScanContact} from './contact.js'
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

export interface NatFormat extends LineFormat<NatEvent> {
  /**
   * Optional scan fast path (`natrace scan`): fills `out` with what parse() would give for this line — the
   * fields the scan detector reads, the evidence as file/line/text/role — without building a NatEvent, and
   * returns it; returns null whenever it is not sure (any layout it does not read, a line parse() would reject
   * or report as malformed), having changed nothing, so that the caller hands the line to parse() instead.
   * Must keep the same per-file state as parse() (ctx.state) for the lines it reads.
   */
  scanContact?(line: Line, ctx: ParseContext, out: ScanContact): ScanContact | null
}

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
