/**
 * Every DHCP / RADIUS / static-assignment source natrace reads. Adding one = one module in ./formats + its
 * line here. Order matters only for ties in detection and for line-by-line reading of mixed syslog files.
 */
import type {LineFormat} from '../io/format.js'
import type {LeaseEvent} from '../model.js'
import {dnsmasqLeases} from './formats/dnsmasq-leases.js'
import {dnsmasqSyslog} from './formats/dnsmasq-syslog.js'
import {freeradiusDetail} from './formats/freeradius-detail.js'
import {iscLeases} from './formats/isc-leases.js'
import {iscSyslog} from './formats/isc-syslog.js'
import {keaCsv} from './formats/kea-csv.js'
import {keaLog} from './formats/kea-log.js'
import {mikrotikDhcp} from './formats/mikrotik-dhcp.js'
import {mikrotikLeases} from './formats/mikrotik-leases.js'
import {odhcpd} from './formats/odhcpd.js'
import {radacctCsv, staticMap} from './formats/csv-sessions.js'
import {windowsDhcp} from './formats/windows-dhcp.js'

export type LeaseFormat = LineFormat<LeaseEvent>

export const leaseFormats: LeaseFormat[] = [
  iscLeases,
  iscSyslog,
  keaCsv,
  keaLog,
  dnsmasqLeases,
  dnsmasqSyslog,
  windowsDhcp,
  mikrotikDhcp,
  mikrotikLeases,
  odhcpd,
  freeradiusDetail,
  radacctCsv,
  staticMap,
]

export function leaseFormat(name: string): LeaseFormat | undefined {
  return leaseFormats.find((f) => f.name === name)
}
