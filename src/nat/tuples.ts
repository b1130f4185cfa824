/**
 * Conntrack-style two-tuple records (original and reply direction, as conntrack, ulogd NFCT and similar
 * session tables write them) → inside / outside / destination.
 */
import type {NatEvent} from '../model.js'

export interface Endpoints {
  src: string
  dst: string
  sport: number | null
  dport: number | null
}

/**
 * Source NAT (or no NAT): inside = original source, outside = reply destination (the address the peer
 * answers to), destination = original destination.
 * Destination NAT only (a port forward: the reply comes from another address than the one dialled and the
 * source is untouched): inside = reply source (the server), outside = original destination (the public
 * address), destination = original source (the remote client).
 */
export function applyTuples(ev: NatEvent, o: Endpoints, r: Endpoints): void {
  if (isPortForward(o.src, o.sport, o.dst, o.dport, r.src, r.sport, r.dst, r.dport)) {
    ev.insideIp = r.src
    ev.insidePort = r.sport
    ev.outsideIp = o.dst
    ev.outsidePort = o.dport
    ev.destIp = o.src
    ev.destPort = o.sport
  } else {
    ev.insideIp = o.src
    ev.insidePort = o.sport
    ev.outsideIp = r.dst
    ev.outsidePort = r.dport
    ev.destIp = o.dst
    ev.destPort = o.dport
  }
}

/**
 * The rule applyTuples reads a connection by: destination NAT without source NAT (the reply comes from another
 * address or port than the one dialled, and goes back to the original source unchanged) is a port forward.
 * Addresses may be given as strings or as any key that is equal exactly when the strings are (the scan fast path
 * passes int32 keys of canonical dotted quads).
 */
export function isPortForward<A, P>(oSrc: A, oSport: P, oDst: A, oDport: P, rSrc: A, rSport: P, rDst: A, rDport: P): boolean {
  const snat = rDst !== oSrc || rDport !== oSport
  const dnat = rSrc !== oDst || rSport !== oDport
  return dnat && !snat
}
