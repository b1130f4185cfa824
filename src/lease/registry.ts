/**
 * Every DHCP / RADIUS / static-assignment source natrace reads. Adding one = one module in ./formats + its
 * line here. Order matters only for ties in detection and for line-by-line reading of mixed syslog files.
 */
import type {LineFormat} from '../io/format.js'
import type {LeaseEvent} from '../model.js'
import {iscLeases} from './formats/isc-leases.js'
import {iscSyslog} from './formats/isc-syslog.js'

export type LeaseFormat = LineFormat<LeaseEvent>

export const leaseFormats: LeaseFormat[] = [iscLeases, iscSyslog]

export function leaseFormat(name: string): LeaseFormat | undefined {
  return leaseFormats.find((f) => f.name === name)
}
