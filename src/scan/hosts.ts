/**
 * The set of hosts one source contacted, with a small integer per host (the detector's packed host state).
 * IPv4 addresses live in an open-addressing table of typed arrays (no object, no retained string per host:
 * the detector's hot path and the garbage collector both stay cheap); anything else (IPv6) in a Map.
 */
import {keyToIpv4} from '../io/net.js'

export class HostTable {
  private keys = new Int32Array(16)
  private vals = new Int32Array(16)
  private mask = 15
  private n4 = 0
  private other: Map<string, number> | null = null

  get size(): number {
    return this.n4 + (this.other?.size ?? 0)
  }

  private slot(k: number): number {
    let i = Math.imul(k, 0x9e3779b1) >>> 0
    i &= this.mask
    const keys = this.keys
    while (keys[i] !== 0 && keys[i] !== k) i = (i + 1) & this.mask
    return i
  }

  /** the value for `ip` (k = quadKey(ip): one key per address string, 0 for anything else), or undefined */
  get(k: number, ip: string): number | undefined {
    if (k === 0) return this.other?.get(ip)
    const i = this.slot(k)
    return this.keys[i] === 0 ? undefined : this.vals[i]
  }

  set(k: number, ip: string, v: number): void {
    if (k === 0) {
      ;(this.other ??= new Map()).set(ip, v)
      return
    }
    let i = this.slot(k)
    if (this.keys[i] === 0) {
      if ((this.n4 + 1) * 2 > this.mask + 1) {
        this.grow()
        i = this.slot(k)
      }
      this.keys[i] = k
      this.n4++
    }
    this.vals[i] = v
  }

  private grow(): void {
    const oldK = this.keys
    const oldV = this.vals
    const cap = (this.mask + 1) * 2
    this.keys = new Int32Array(cap)
    this.vals = new Int32Array(cap)
    this.mask = cap - 1
    for (let j = 0; j < oldK.length; j++) {
      const k = oldK[j]!
      if (k === 0) continue
      const i = this.slot(k)
      this.keys[i] = k
      this.vals[i] = oldV[j]!
    }
  }

  /** every host and its value (IPv4 in table order, then the others) */
  *entries(): IterableIterator<[string, number]> {
    const keys = this.keys
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) yield [keyToIpv4(keys[i]!), this.vals[i]!]
    if (this.other) yield* this.other.entries()
  }
}

/** Values by non-zero int32 key (open addressing, linear probing, deletion by backward shift). */
export class IntTable<T> {
  private keys = new Int32Array(64)
  private vals: (T | undefined)[] = new Array<T | undefined>(64).fill(undefined)
  private mask = 63
  private n = 0

  get size(): number {
    return this.n
  }

  private slot(k: number): number {
    let i = (Math.imul(k, 0x9e3779b1) >>> 0) & this.mask
    const keys = this.keys
    while (keys[i] !== 0 && keys[i] !== k) i = (i + 1) & this.mask
    return i
  }

  get(k: number): T | undefined {
    return this.vals[this.slot(k)]
  }

  set(k: number, v: T): void {
    let i = this.slot(k)
    if (this.keys[i] === 0) {
      if ((this.n + 1) * 2 > this.mask + 1) {
        this.grow()
        i = this.slot(k)
      }
      this.keys[i] = k
      this.n++
    }
    this.vals[i] = v
  }

  delete(k: number): void {
    let i = this.slot(k)
    if (this.keys[i] === 0) return
    this.n--
    // backward shift: move later entries of the probe run into the hole so lookups never stop early
    const keys = this.keys
    const mask = this.mask
    let j = i
    for (;;) {
      j = (j + 1) & mask
      const kj = keys[j]!
      if (kj === 0) break
      const home = (Math.imul(kj, 0x9e3779b1) >>> 0) & mask
      // kj may move to the hole at i when its home is not in (i, j] (cyclically)
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        keys[i] = kj
        this.vals[i] = this.vals[j]
        i = j
      }
    }
    keys[i] = 0
    this.vals[i] = undefined
  }

  private grow(): void {
    const oldK = this.keys
    const oldV = this.vals
    const cap = (this.mask + 1) * 2
    this.keys = new Int32Array(cap)
    this.vals = new Array<T | undefined>(cap).fill(undefined)
    this.mask = cap - 1
    for (let j = 0; j < oldK.length; j++) {
      const k = oldK[j]!
      if (k === 0) continue
      const i = this.slot(k)
      this.keys[i] = k
      this.vals[i] = oldV[j]
    }
  }
}
