#!/usr/bin/env node
/**
 * Deterministic generator of an ISP-scale scenario for `npm run bench`: a month of rotated, gzip'd NAT logs
 * from three devices, a DHCP lease history, and one abuse report whose answer is planted.
 *
 *   node scripts/bench/generate.mjs --out /tmp/natrace-bench/data [--size 200MiB] [--days 30] [--per-day 4]
 *
 * --size is the target size of the NAT logs on disk (compressed; ±10 %). The same arguments always write the
 * same bytes (seeded PRNG per device); an existing output whose manifest.json has the same arguments is kept.
 *
 * The story (documentation / shared-address ranges, invented names), March 2026, devices log in
 * America/Sao_Paulo (UTC-3, no DST):
 * - cgnat/conntrack.log[.N.gz]  Linux CGNAT, `conntrack -E -o timestamp` NEW/DESTROY events, inside
 *   100.64.0.0/16, public 198.51.100.0/25 (port ranges 1024-65535), ~60 % of the bytes;
 * - bras/firewall.log[.N.gz]    MikroTik BRAS, remote syslog firewall lines with a NAT clause (srcnat),
 *   inside 100.65.0.0/16, public 198.51.100.128/26, ~25 %;
 * - campus/security[.N.gz]      FreeBSD ipfw `count log` (one-sided: inside addresses only), 10.20.0.0/16,
 *   ~15 %;
 * - leases/kea-leases4.csv      Kea memfile lease file of the CGNAT subscribers (24 h leases renewed every 12 h;
 *   one address changes hands on day 10);
 * - report.json                 an X-ARF v4 login-attack report: 198.51.100.20:40112 -> 192.0.2.200:22 at
 *   2026-03-15 14:23:19 -03:00 (reporter clock 2 s behind the CGNAT's).
 * Planted answer: 100.64.37.201:51234 (conntrack NEW at 14:23:17 local, DESTROY 95 s later), held then by
 * 4c:5e:0c:25:c9:01, host "assinante-03742"; 100.64.37.201 belonged to 4c:5e:0c:99:00:01 "assinante-00017" until
 * day 10. No other record of the month uses 198.51.100.20:40112.
 *
 * Rotation: `--per-day` files a day (default 4, i.e. every 6 h), newest is the live plain file, then .1.gz,
 * .2.gz … (logrotate `rotate N` + compress, no delaycompress). mtimes are set to each file's last line.
 */
import {createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {createGzip, gzipSync} from 'node:zlib'
import {once} from 'node:events'

function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)\s*(k|m|g)?i?b?$/i.exec(String(s).trim())
  if (!m) throw new Error(`--size: not a size: ${s}`)
  const mult = {k: 1024, m: 1024 ** 2, g: 1024 ** 3}[(m[2] ?? '').toLowerCase()] ?? 1
  return Math.round(Number(m[1]) * mult)
}

export const PLANT = {
  publicIp: '198.51.100.20',
  publicPort: 40112,
  insideIp: '100.64.37.201',
  insidePort: 51234,
  destIp: '192.0.2.200',
  destPort: 22,
  mac: '4c:5e:0c:25:c9:01',
  hostname: 'assinante-03742',
  previousMac: '4c:5e:0c:99:00:01',
  previousHostname: 'assinante-00017',
}
const OFFSET = -3 * 3600_000 // America/Sao_Paulo, no DST in 2026
const MONTH0 = Date.UTC(2026, 2, 1) - OFFSET // 2026-03-01 00:00 local
const localMs = (day, h, m, s) => Date.UTC(2026, 2, day, h, m, s) - OFFSET
const PLANT_MS = localMs(15, 14, 23, 17) // CGNAT clock
const REPORT_SKEW_MS = -2000 // reporter's clock behind ours
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const p2 = (n) => (n < 10 ? '0' : '') + n

function rng(seed) {
  let s = seed | 0
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// syslog stamps are cached per second (the generator writes them in time order)
function syslogStamper() {
  let last = -1
  let txt = ''
  return (ms) => {
    const sec = Math.floor(ms / 1000)
    if (sec !== last) {
      last = sec
      const d = new Date(sec * 1000 + OFFSET)
      txt = `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`
    }
    return txt
  }
}

const DESTS = []
{
  const r = rng(77)
  for (let i = 0; i < 4000; i++) DESTS.push(`${[23, 31, 45, 52, 104, 142, 151, 157, 172, 177, 186, 189, 200, 201][Math.floor(r() * 14)]}.${1 + Math.floor(r() * 250)}.${1 + Math.floor(r() * 250)}.${1 + Math.floor(r() * 250)}`)
}
const PORTS = [443, 443, 443, 443, 80, 80, 53, 123, 853, 993, 5222, 3478, 6881, 8080]

/**
 * One device: writes its events in time order through a sink that rotates files. `emit(ms, text)` must be
 * called with non-decreasing ms. Events scheduled in the future (session ends) wait in a per-second ring.
 */
class Rotator {
  constructor(dir, base, days, perDay) {
    this.dir = dir
    this.base = base
    this.nFiles = days * perDay
    this.span = 86_400_000 / perDay
    this.idx = -1
    this.buf = []
    this.bufBytes = 0
    this.w = null
    this.lastMs = MONTH0
    this.bytesPlain = 0
    this.lines = 0
    this.written = []
    this.closing = []
    this.blocked = null
  }
  name(i) {
    const age = this.nFiles - 1 - i // 0 = live
    return join(this.dir, age === 0 ? this.base : `${this.base}.${age}.gz`)
  }
  open(i) {
    this.close()
    this.idx = i
    const path = this.name(i)
    this.path = path
    const out = createWriteStream(path, {highWaterMark: 1 << 20})
    if (path.endsWith('.gz')) {
      this.w = createGzip({level: 6, chunkSize: 1 << 20})
      this.w.pipe(out)
    } else this.w = out
    this.out = out
  }
  write() {
    if (!this.buf.length) return
    const data = this.buf.join('')
    this.buf = []
    this.bufBytes = 0
    if (!this.w.write(data) && !this.blocked) this.blocked = once(this.w, 'drain')
  }
  /** synchronous; the caller awaits `wait()` now and then (backpressure) */
  emit(ms, text) {
    const i = Math.min(this.nFiles - 1, Math.floor((ms - MONTH0) / this.span))
    if (i !== this.idx) this.open(i)
    this.lastMs = ms
    this.buf.push(text, '\n')
    this.bufBytes += text.length + 1
    this.bytesPlain += text.length + 1
    this.lines++
    if (this.bufBytes > 1 << 20) this.write()
  }
  async wait() {
    if (this.blocked) {
      await this.blocked
      this.blocked = null
    }
  }
  close() {
    if (!this.w) return
    this.write()
    this.blocked = null
    this.w.end()
    const path = this.path
    const t = this.lastMs / 1000
    this.closing.push(once(this.out, 'close').then(() => utimesSync(path, t, t)))
    this.written.push(path)
    this.w = null
  }
  async finish() {
    this.close()
    await Promise.all(this.closing)
  }
}

/** Per-second driver: calls `second(ms)` for every second of the month, in order. */
async function drive(days, rot, second) {
  const end = MONTH0 + days * 86_400_000
  for (let t = MONTH0; t < end; t += 1000) {
    second(t)
    if (rot.blocked) await rot.wait()
  }
  await rot.finish()
}

// ------------------------------------------------------------------------------------------ CGNAT conntrack
async function conntrack(dir, days, perDay, rate) {
  const rot = new Rotator(dir, 'conntrack.log', days, perDay)
  const r = rng(0xc0ffee)
  const ring = Array.from({length: 1024}, () => [])
  const stamp = (ms) => {
    const us = ((ms % 1000) * 1000 + Math.floor(r() * 1000)).toString().padStart(6, '0')
    return `[${Math.floor(ms / 1000)}.${us}]`
  }
  let carry = 0
  await drive(days, rot, (t) => {
    const sec = t / 1000
    // ends first (a DESTROY scheduled for this second)
    const due = ring[sec & 1023]
    ring[sec & 1023] = []
    due.sort((a, b) => a.ms - b.ms)
    const starts = []
    carry += rate
    const n = Math.floor(carry)
    carry -= n
    for (let k = 0; k < n; k++) {
      const ms = t + Math.floor(r() * 1000)
      const sub = Math.floor(r() * 20000)
      const inside = `100.64.${(sub >> 8) & 255}.${sub & 255}`
      const pub = `198.51.100.${(sub * 7) % 128}`
      let pport = 1024 + Math.floor(r() * 64512)
      if (pport === PLANT.publicPort && pub === PLANT.publicIp) pport++
      const sport = 32768 + Math.floor(r() * 28232)
      const dst = DESTS[Math.floor(r() * DESTS.length)]
      const udp = r() < 0.3
      const dport = udp ? (r() < 0.7 ? 53 : 123) : PORTS[Math.floor(r() * PORTS.length)]
      const dur = udp ? 1 + Math.floor(r() * 30) : 1 + Math.floor(r() * 300)
      starts.push({ms, inside, pub, pport, sport, dst, dport, udp, dur})
    }
    if (t === Math.floor(PLANT_MS / 1000) * 1000) {
      starts.push({ms: PLANT_MS, inside: PLANT.insideIp, pub: PLANT.publicIp, pport: PLANT.publicPort, sport: PLANT.insidePort, dst: PLANT.destIp, dport: PLANT.destPort, udp: false, dur: 95})
    }
    starts.sort((a, b) => a.ms - b.ms)
    // merge ends and starts in time order
    let i = 0
    let j = 0
    while (i < due.length || j < starts.length) {
      if (j >= starts.length || (i < due.length && due[i].ms <= starts[j].ms)) {
        const s = due[i++]
        const pk = 2 + (s.dur % 40)
        const proto = s.udp ? 'udp      17' : 'tcp      6'
        rot.emit(s.ms, `${stamp(s.ms)}\t[DESTROY] ${proto} src=${s.inside} dst=${s.dst} sport=${s.sport} dport=${s.dport} packets=${pk} bytes=${pk * 180} src=${s.dst} dst=${s.pub} sport=${s.dport} dport=${s.pport} packets=${pk - 1} bytes=${pk * 900} ${s.udp ? '' : '[ASSURED] '}mark=0 delta-time=${s.dur} use=1`)
      } else {
        const s = starts[j++]
        const text = s.udp
          ? `${stamp(s.ms)}\t    [NEW] udp      17 30 src=${s.inside} dst=${s.dst} sport=${s.sport} dport=${s.dport} [UNREPLIED] src=${s.dst} dst=${s.pub} sport=${s.dport} dport=${s.pport}`
          : `${stamp(s.ms)}\t    [NEW] tcp      6 120 SYN_SENT src=${s.inside} dst=${s.dst} sport=${s.sport} dport=${s.dport} [UNREPLIED] src=${s.dst} dst=${s.pub} sport=${s.dport} dport=${s.pport}`
        rot.emit(s.ms, text)
        const endMs = s.ms + s.dur * 1000
        ring[Math.floor(endMs / 1000) & 1023].push({...s, ms: endMs})
      }
    }
  })
  return rot
}

// ------------------------------------------------------------------------------------------ MikroTik BRAS
async function mikrotik(dir, days, perDay, rate) {
  const rot = new Rotator(dir, 'firewall.log', days, perDay)
  const r = rng(0xb1a5)
  const st = syslogStamper()
  let carry = 0
  await drive(days, rot, (t) => {
    carry += rate
    const n = Math.floor(carry)
    carry -= n
    const ms = []
    for (let k = 0; k < n; k++) ms.push(t + Math.floor(r() * 1000))
    ms.sort((a, b) => a - b)
    for (const m of ms) {
      const sub = Math.floor(r() * 8000)
      const inside = `100.65.${(sub >> 8) & 255}.${sub & 255}`
      const pub = `198.51.100.${128 + (sub % 64)}`
      const sport = 1024 + Math.floor(r() * 64000)
      const pport = r() < 0.5 ? sport : 1024 + Math.floor(r() * 64000)
      const dst = DESTS[Math.floor(r() * DESTS.length)]
      const udp = r() < 0.25
      const dport = udp ? 53 : PORTS[Math.floor(r() * PORTS.length)]
      const proto = udp ? 'UDP' : 'TCP (SYN)'
      rot.emit(m, `${st(m)} bras-2 firewall,info FWD forward: in:<pppoe-cliente${sub}> out:sfp1-UPLINK, connection-state:new,snat proto ${proto}, ${inside}:${sport}->${dst}:${dport}, NAT (${inside}:${sport}->${pub}:${pport})->${dst}:${dport}, len ${udp ? 72 : 60}`)
    }
  })
  return rot
}

// ------------------------------------------------------------------------------------------ ipfw campus
async function ipfw(dir, days, perDay, rate) {
  const rot = new Rotator(dir, 'security', days, perDay)
  const r = rng(0x1bf3)
  const st = syslogStamper()
  let carry = 0
  await drive(days, rot, (t) => {
    carry += rate / 2 // two lines per packet (in via inside iface, out via outside)
    const n = Math.floor(carry)
    carry -= n
    const ms = []
    for (let k = 0; k < n; k++) ms.push(t + Math.floor(r() * 1000))
    ms.sort((a, b) => a - b)
    for (const m of ms) {
      const h = Math.floor(r() * 4000)
      const inside = `10.20.${h >> 8}.${h & 255}`
      let sport = 49152 + Math.floor(r() * 16383)
      if (sport === PLANT.publicPort) sport++
      const dst = DESTS[Math.floor(r() * DESTS.length)]
      const dport = PORTS[Math.floor(r() * PORTS.length)]
      const proto = dport === 53 || dport === 123 ? 'UDP' : 'TCP'
      const s = st(m)
      rot.emit(m, `${s} gw kernel: ipfw: 1 Count ${proto} ${inside}:${sport} ${dst}:${dport} in via em1`)
      rot.emit(m, `${s} gw kernel: ipfw: 1 Count ${proto} ${inside}:${sport} ${dst}:${dport} out via em0`)
    }
  })
  return rot
}

// ------------------------------------------------------------------------------------------ leases + report
function leases(dir, days) {
  // Kea memfile lease file (kea-leases4.csv): a row per grant/renewal, 24 h lifetime, renewed every 12 h
  const r = rng(0x1ea5e)
  const rows = []
  const end = MONTH0 + days * 86_400_000
  const LIFE = 86_400
  const grant = (ip, mac, name, at, expire = at + LIFE * 1000) => rows.push({at, line: `${ip},${mac},01:${mac},${Math.round((expire - at) / 1000)},${Math.round(expire / 1000)},1,0,0,${name},0,,0`})
  for (let s = 0; s < 2000; s++) {
    const sub = s * 10 // spread over the CGNAT subscriber range
    const ip = `100.64.${(sub >> 8) & 255}.${sub & 255}`
    const mac = `4c:5e:0c:${p2((s >> 8).toString(16))}:${p2((s & 255).toString(16))}:${p2(Math.floor(r() * 200 + 16).toString(16))}`
    const name = `assinante-${String(s).padStart(5, '0')}`
    for (let t = MONTH0 - 86_400_000 + Math.floor(r() * 3600_000); t < end; t += 43_200_000) grant(ip, mac, name, t)
  }
  // the planted address: the previous holder's lease runs out on day 10 at 09:12:40 (not renewed), the
  // planted subscriber gets it at 11:03:09 and renews it every 12 h
  const gone = localMs(10, 9, 12, 40)
  let t = MONTH0 - 86_400_000 + 1_234_000
  for (; t + 43_200_000 < gone - LIFE * 1000; t += 43_200_000) grant(PLANT.insideIp, PLANT.previousMac, PLANT.previousHostname, t)
  grant(PLANT.insideIp, PLANT.previousMac, PLANT.previousHostname, t + 43_200_000, gone)
  for (t = localMs(10, 11, 3, 9); t < end; t += 43_200_000) grant(PLANT.insideIp, PLANT.mac, PLANT.hostname, t)
  rows.sort((a, b) => a.at - b.at)
  mkdirSync(dir, {recursive: true})
  writeFileSync(join(dir, 'kea-leases4.csv'), ['address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id', ...rows.map((x) => x.line)].join('\n') + '\n')
  return rows.length
}

function report(path) {
  const t = new Date(PLANT_MS + 3000 + REPORT_SKEW_MS) // 3 s into the session (our clock), on the reporter's clock
  writeFileSync(
    path,
    JSON.stringify(
      {
        xarf_version: '4.2.0',
        report_id: 'b3c1d2e4-5f60-4a7b-8c9d-0e1f2a3b4c5d',
        timestamp: t.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        reporter: {org: 'Example Honeynet', contact: 'reports@honeynet.example', domain: 'honeynet.example'},
        source_identifier: PLANT.publicIp,
        source_port: PLANT.publicPort,
        category: 'connection',
        type: 'login_attack',
        destination_ip: PLANT.destIp,
        destination_port: PLANT.destPort,
        protocol: 'tcp',
      },
      null,
      2,
    ) + '\n',
  )
  return t.getTime()
}

/** Compressed bytes per line of each device, measured on a small deterministic sample (for --size). */
function calibrate() {
  const sample = (lines) => gzipSync(Buffer.from(lines.join('\n') + '\n'), {level: 6}).length / lines.length
  const r = rng(5)
  const ct = []
  const mk = []
  const fw = []
  for (let i = 0; i < 20000; i++) {
    const a = `100.64.${Math.floor(r() * 80)}.${Math.floor(r() * 256)}`
    const d = DESTS[Math.floor(r() * DESTS.length)]
    const p = 1024 + Math.floor(r() * 64000)
    const q = 32768 + Math.floor(r() * 28000)
    ct.push(`[${1772334000 + i}.${String(Math.floor(r() * 1e6)).padStart(6, '0')}]\t    [NEW] tcp      6 120 SYN_SENT src=${a} dst=${d} sport=${q} dport=443 [UNREPLIED] src=${d} dst=198.51.100.${Math.floor(r() * 128)} sport=443 dport=${p}`)
    ct.push(`[${1772334100 + i}.${String(Math.floor(r() * 1e6)).padStart(6, '0')}]\t[DESTROY] tcp      6 src=${a} dst=${d} sport=${q} dport=443 packets=${Math.floor(r() * 40)} bytes=${Math.floor(r() * 9000)} src=${d} dst=198.51.100.${Math.floor(r() * 128)} sport=443 dport=${p} packets=7 bytes=6300 [ASSURED] mark=0 delta-time=${Math.floor(r() * 300)} use=1`)
    mk.push(`Mar  3 21:14:${p2(i % 60)} bras-2 firewall,info FWD forward: in:<pppoe-cliente${Math.floor(r() * 8000)}> out:sfp1-UPLINK, connection-state:new,snat proto TCP (SYN), ${a}:${q}->${d}:443, NAT (${a}:${q}->198.51.100.${128 + Math.floor(r() * 64)}:${p})->${d}:443, len 60`)
    fw.push(`Mar  3 21:14:${p2(i % 60)} gw kernel: ipfw: 1 Count TCP 10.20.${Math.floor(r() * 16)}.${Math.floor(r() * 256)}:${q} ${d}:443 in via em1`)
  }
  return {conntrack: sample(ct), mikrotik: sample(mk), ipfw: sample(fw)}
}

export async function generate({out, size = 200 * 1024 ** 2, days = 30, perDay = 4, force = false}) {
  const args = {size, days, perDay, version: 5}
  const manifestPath = join(out, 'manifest.json')
  if (!force && existsSync(manifestPath)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'))
    // the data may have been moved: paths are the output directory's
    if (JSON.stringify(m.args) === JSON.stringify(args)) return {...m, natDirs: ['cgnat', 'bras', 'campus'].map((d) => join(out, d)), leaseDir: join(out, 'leases'), report: join(out, 'report.json')}
  }
  rmSync(out, {recursive: true, force: true})
  for (const d of ['cgnat', 'bras', 'campus', 'leases']) mkdirSync(join(out, d), {recursive: true})
  const per = calibrate()
  const seconds = days * 86_400
  // lines per second of each device so that the compressed total is `size` (shares 60/25/15 %)
  const rate = {
    conntrack: (size * 0.6) / per.conntrack / seconds / 2, // two lines per session
    mikrotik: (size * 0.25) / per.mikrotik / seconds,
    ipfw: (size * 0.15) / per.ipfw / seconds,
  }
  const t0 = Date.now()
  const [ct, mk, fw] = await Promise.all([
    conntrack(join(out, 'cgnat'), days, perDay, rate.conntrack),
    mikrotik(join(out, 'bras'), days, perDay, rate.mikrotik),
    ipfw(join(out, 'campus'), days, perDay, rate.ipfw),
  ])
  const leaseLines = leases(join(out, 'leases'), days)
  const reportMs = report(join(out, 'report.json'))
  const natFiles = [...ct.written, ...mk.written, ...fw.written].sort()
  const compressedBytes = natFiles.reduce((a, f) => a + statSync(f).size, 0)
  const manifest = {
    args,
    generatedInS: (Date.now() - t0) / 1000,
    natDirs: ['cgnat', 'bras', 'campus'].map((d) => join(out, d)),
    leaseDir: join(out, 'leases'),
    report: join(out, 'report.json'),
    reportTime: new Date(reportMs).toISOString(),
    logTz: 'America/Sao_Paulo',
    natFiles: natFiles.length,
    compressedBytes,
    uncompressedBytes: ct.bytesPlain + mk.bytesPlain + fw.bytesPlain,
    lines: {conntrack: ct.lines, mikrotik: mk.lines, ipfw: fw.lines, leases: leaseLines},
    sessions: ct.lines / 2 + mk.lines + fw.lines / 2,
    planted: PLANT,
  }
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n')
  return manifest
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2)
  const get = (k, d) => {
    const i = argv.indexOf(k)
    return i >= 0 ? argv[i + 1] : d
  }
  const out = get('--out', '/tmp/natrace-bench/data')
  const m = await generate({out, size: parseSize(get('--size', '200MiB')), days: Number(get('--days', 30)), perDay: Number(get('--per-day', 4)), force: argv.includes('--force')})
  console.log(JSON.stringify(m, null, 2))
}

export {parseSize}
