/**
 * Targeted-service signatures and psad-compatible danger levels.
 *
 * Danger level (1–5) = the higher of
 * - the packet-count level, psad's defaults (psad.conf DANGER_LEVEL1..5): ≥ 5, 15, 150, 1500, 10000 packets;
 * - the level of the most dangerous service signature the source targeted (below).
 * Signature names follow psad's Snort-derived style ("<CLASS> <what>"); the table is natrace's own.
 */

export interface Signature {
  name: string
  /** psad_dl-style level of one contact to this service */
  level: number
  proto: 'tcp' | 'udp'
  ports: number[]
}

export const SIGNATURES: Signature[] = [
  {name: 'MISC HP JetDirect printer access (9100)', level: 2, proto: 'tcp', ports: [9100]},
  {name: 'MISC VNC connection attempt (5900)', level: 2, proto: 'tcp', ports: [5900, 5901, 5902, 5903]},
  {name: 'MISC MS Terminal Server request (3389)', level: 2, proto: 'tcp', ports: [3389]},
  {name: 'DOS MSDTC attempt (3372)', level: 2, proto: 'tcp', ports: [3372]},
  {name: 'MS-SQL server connection attempt (1433)', level: 2, proto: 'tcp', ports: [1433]},
  {name: 'MS-SQL ping attempt (1434/udp)', level: 2, proto: 'udp', ports: [1434]},
  {name: 'SSH connection attempt (22)', level: 2, proto: 'tcp', ports: [22]},
  {name: 'TELNET connection attempt, Mirai-style (23/2323)', level: 3, proto: 'tcp', ports: [23, 2323]},
  {name: 'SMB connection attempt (445/139)', level: 2, proto: 'tcp', ports: [445, 139]},
  {name: 'NETBIOS name service probe (137/udp)', level: 1, proto: 'udp', ports: [137]},
  {name: 'MS-RPC endpoint mapper attempt (135)', level: 2, proto: 'tcp', ports: [135]},
  {name: 'MYSQL connection attempt (3306)', level: 2, proto: 'tcp', ports: [3306]},
  {name: 'POSTGRESQL connection attempt (5432)', level: 2, proto: 'tcp', ports: [5432]},
  {name: 'REDIS connection attempt (6379)', level: 2, proto: 'tcp', ports: [6379]},
  {name: 'ELASTICSEARCH access attempt (9200)', level: 2, proto: 'tcp', ports: [9200]},
  {name: 'ANDROID ADB connection attempt (5555)', level: 3, proto: 'tcp', ports: [5555]},
  {name: 'EXPLOIT Huawei HG532 UPnP (37215)', level: 3, proto: 'tcp', ports: [37215]},
  {name: 'EXPLOIT Realtek SDK miniigd UPnP (52869)', level: 3, proto: 'tcp', ports: [52869]},
  {name: 'TR-069 CWMP access attempt (7547)', level: 2, proto: 'tcp', ports: [7547]},
  {name: 'FTP connection attempt (21)', level: 1, proto: 'tcp', ports: [21]},
  {name: 'SMTP relay probe (25)', level: 2, proto: 'tcp', ports: [25]},
  {name: 'SIP scan (5060)', level: 2, proto: 'udp', ports: [5060]},
  {name: 'SNMP request (161/udp)', level: 2, proto: 'udp', ports: [161]},
  {name: 'NTP monlist probe (123/udp)', level: 1, proto: 'udp', ports: [123]},
  {name: 'DNS open resolver probe (53/udp)', level: 1, proto: 'udp', ports: [53]},
  {name: 'SSDP probe (1900/udp)', level: 2, proto: 'udp', ports: [1900]},
  {name: 'MEMCACHED probe (11211)', level: 2, proto: 'udp', ports: [11211]},
  {name: 'HTTP proxy probe (8080/3128)', level: 1, proto: 'tcp', ports: [8080, 3128, 8000, 8888]},
]

/** Protocol tag of a port key: tcp 0, udp 1, anything else 2. A port key is tag * 65536 + port. */
export function protoTag(proto: string | null): number {
  return proto === 'tcp' ? 0 : proto === 'udp' ? 1 : 2
}

const TAG_NAMES = ['tcp', 'udp', 'other']
export function tagName(tag: number): string {
  return TAG_NAMES[tag] ?? 'other'
}

const BY_KEY = new Map<number, Signature>()
for (const s of SIGNATURES) for (const p of s.ports) BY_KEY.set(protoTag(s.proto) * 65536 + p, s)

/** The signature of a port key, if the service is one scanners target. */
export function signatureOf(key: number): Signature | undefined {
  return key === ICMP_KEY ? ICMP_SWEEP : BY_KEY.get(key)
}

/** Port key of a portless protocol (ICMP echo, …): a host sweep without ports. */
export const ICMP_KEY = 2 * 65536
const ICMP_SWEEP: Signature = {name: 'ICMP PING sweep', level: 1, proto: 'tcp', ports: []}

/** Port keys that count as one target for horizontal sweeps (Telnet 23 and 2323; SMB 445 and 139; VNC 5900-5903). */
export function groupKey(key: number): number {
  const s = BY_KEY.get(key)
  return s && s.ports.length > 1 ? protoTag(s.proto) * 65536 + s.ports[0]! : key
}

/**
 * Ports ordinary clients open to many hosts (web, DNS, NTP, mail fetch, push, STUN, QUIC): a sweep on them
 * needs far more hosts before it is called one, and is never called one when most first contacts were answered.
 */
export const COMMON_CLIENT = new Set<number>(
  [
    [0, [80, 443, 8443, 853, 993, 995, 465, 587, 143, 110, 5222, 5223, 5228, 4070, 1935]],
    [1, [53, 123, 443, 3478, 19302, 4500, 500]],
  ].flatMap(([tag, ports]) => (ports as number[]).map((p) => (tag as number) * 65536 + p)),
)

/** BitTorrent's classic listening range (6881–6999): contacts there are peer-to-peer evidence, never scan targets. */
export function isBitTorrentPort(port: number): boolean {
  return port >= 6881 && port <= 6999
}

/** psad default DANGER_LEVEL1..5 packet thresholds. */
export const PSAD_PACKET_LEVELS = [5, 15, 150, 1500, 10000] as const

export function packetLevel(packets: number): number {
  let l = 0
  for (const t of PSAD_PACKET_LEVELS) if (packets >= t) l++
  return l
}

/** Port-key class bits, precomputed for the detector's hot path. */
export const C_BT = 1
export const C_COMMON = 2
export const C_SIG = 4
/** at or above 10000 and named by no signature: a peer-to-peer / ephemeral port */
export const C_HIGH = 8
/** part of a signature group of several ports (23+2323, 445+139, 5900-5903) */
export const C_MULTI = 16

/** CLASS[key] = class bits; GROUP[key] = group key (see groupKey) — for keys tag * 65536 + port, tag 0..2 */
export const CLASS = new Uint8Array(3 * 65536)
export const GROUP = new Int32Array(3 * 65536)
for (let key = 0; key < 3 * 65536; key++) {
  const tag = Math.floor(key / 65536)
  const port = key % 65536
  const sig = signatureOf(key)
  let c = 0
  if (tag < 2 && isBitTorrentPort(port)) c |= C_BT
  if (COMMON_CLIENT.has(key)) c |= C_COMMON
  if (sig) c |= C_SIG
  if (tag < 2 && port >= 10_000 && !sig) c |= C_HIGH
  if (sig && sig.ports.length > 1) c |= C_MULTI
  CLASS[key] = c
  GROUP[key] = groupKey(key)
}
