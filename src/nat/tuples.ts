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
  const snat = r.dst !== o.src || r.dport !== o.sport
  const dnat = r.src !== o.dst || r.sport !== o.dport
  if (dnat && !snat) {
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
