/**
 * Every DHCP / RADIUS / static-assignment source natrace reads. Adding one = one module in ./formats + its
 * line here.
 */
import type {LineFormat} from '../io/format.js'
import type {LeaseEvent} from '../model.js'

export type LeaseFormat = LineFormat<LeaseEvent>

export const leaseFormats: LeaseFormat[] = []
