#!/usr/bin/env node
/**
 * Writes samples/: a small, realistic, invented scenario around the seed case (a Registro.br TCP PORT SCAN
 * notice for an ISP behind FreeBSD ipfw NAT with ISC dhcpd). Deterministic: the same files every run.
 *
 *   node scripts/make-samples.mjs            (rewrites samples/)
 *
 * The story (all addresses are documentation / private ranges, all names invented):
 * - public address 203.0.113.5, inside 192.168.0.0/24, ~20 DHCP clients; the gateway "gw" logs every packet
 *   with `ipfw add 1 count log logamount 0 ip from any to any` to /var/log/security, local time
 *   America/Sao_Paulo, and its clock runs 4 s ahead of the reporter's;
 * - 192.168.0.23 (joao-pc, 00:1e:c2:aa:bb:cc) runs a BitTorrent client whose SYNs to 200.160.3.103:6881 are
 *   reported (incidents 1 and 2); it releases the address at 16:30, and at 17:05 the address goes to
 *   maria-note (3c:07:54:11:22:33): the current dhcpd.leases only knows maria-note — blaming her would be
 *   the classic mistake;
 * - at 16:12 two clients (192.168.0.31 and .35) both send from source port 40001 to 200.160.3.103:6881 within
 *   a second: the one-sided ipfw log cannot tell which one the NAT gave public port 40001 (incident 3:
 *   ambiguous);
 * - incident 4 is from 08:02, before the oldest log kept (not found: logs do not cover it).
 */
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {gzipSync} from 'node:zlib'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples')

// deterministic PRNG (mulberry32)
let seed = 0x5eed2013
function rnd() {
  seed |= 0
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = (xs) => xs[Math.floor(rnd() * xs.length)]
const int = (a, b) => a + Math.floor(rnd() * (b - a + 1))

// Sao Paulo, June 2013: UTC-3, no DST. Local wall time <-> UTC ms.
const OFFSET = -3 * 3600_000
const local = (h, m, s = 0) => Date.UTC(2013, 5, 18, h, m, s) - OFFSET
const SKEW = 4_000 // gw clock ahead of the reporter
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const p2 = (n) => String(n).padStart(2, '0')
function syslogStamp(ms) {
  const d = new Date(ms + OFFSET)
  return `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`
}
function leaseStamp(ms) {
  const d = new Date(ms)
  return `${d.getUTCDay()} ${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`
}

const PUBLIC = '203.0.113.5'
const clients = []
const names = ['ana-pc', 'bruno-note', 'carla-celular', 'diego-pc', 'elisa-tablet', 'fabio-tv', 'gabi-note', 'hugo-pc', 'iris-celular', 'jorge-pc', 'karen-note', 'leo-xbox', 'marcos-pc', 'nina-celular', 'otavio-note', 'paula-pc', 'rafa-celular', 'sonia-note', 'tiago-pc']
const hostNums = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 24, 27, 31, 33, 35, 38] // .23 is joao-pc's, below
for (let i = 0; i < names.length; i++) {
  const ip = `192.168.0.${hostNums[i]}`
  const mac = `00:16:3e:${p2((0x10 + i).toString(16))}:${p2(int(16, 255).toString(16))}:${p2(int(16, 255).toString(16))}`
  clients.push({ip, mac, name: names[i]})
}
const JOAO = {ip: '192.168.0.23', mac: '00:1e:c2:aa:bb:cc', name: 'joao-pc'}
const MARIA = {ip: '192.168.0.23', mac: '3c:07:54:11:22:33', name: 'maria-note'}
const C31 = clients.find((c) => c.ip === '192.168.0.31')
const C35 = clients.find((c) => c.ip === '192.168.0.35')
if (!C31 || !C35) throw new Error('sample clients .31/.35 missing')

const servers = ['8.8.8.8', '8.8.4.4', '200.221.2.45', '200.147.67.142', '186.192.90.5', '157.240.12.35', '142.250.79.46', '13.107.42.14', '104.16.132.229', '151.101.1.69', '23.52.16.13', '201.55.232.74', '177.153.6.25', '189.1.164.66']

// ---------------------------------------------------------------- NAT log (ipfw, /var/log/security)
const lines = [] // {ms, text}
const fw = (ms, text) => lines.push({ms, text: `${syslogStamp(ms)} gw kernel: ipfw: 1 Count ${text}`})
const usedPorts = new Set([52218, 52518, 40001])
function flow(c, t) {
  const dst = pick(servers)
  const [proto, dport] = dst.startsWith('8.8.') ? ['UDP', 53] : pick([['TCP', 443], ['TCP', 443], ['TCP', 80], ['UDP', 123]])
  let sport
  do sport = int(49152, 65535)
  while (usedPorts.has(sport))
  fw(t, `${proto} ${c.ip}:${sport} ${dst}:${dport} in via em1`)
  fw(t, `${proto} ${c.ip}:${sport} ${dst}:${dport} out via em0`)
  const r = t + int(8, 180)
  fw(r, `${proto} ${dst}:${dport} ${PUBLIC}:${sport} in via em0`)
  fw(r, `${proto} ${dst}:${dport} ${c.ip}:${sport} out via em1`)
}
const START = local(12, 0)
const END = local(17, 30)
const everyone = [...clients, JOAO]
for (let t = START; t < END; t += 1000) {
  for (const c of everyone) {
    if (c === JOAO && t > local(16, 30)) continue
    if (rnd() < 1 / 150) flow(c, t + int(0, 999))
  }
  if (rnd() < 1 / 40) {
    const c = pick(clients)
    fw(t, `ICMP:8.0 ${c.ip} ${pick(servers)} in via em1`)
  }
}
// the reported SYNs (gw clock = reporter + 4 s); SYN retransmits at +0/+3/+9 s; no reply (filtered port)
for (const [sport, h, m, s] of [[52218, 15, 53, 34], [52518, 15, 54, 59]]) {
  for (const d of [0, 3, 9]) {
    const t = local(h, m, s) + SKEW + d * 1000
    fw(t, `TCP ${JOAO.ip}:${sport} 200.160.3.103:6881 in via em1`)
    fw(t, `TCP ${JOAO.ip}:${sport} 200.160.3.103:6881 out via em0`)
  }
}
// more BitTorrent from joao-pc to other peers (not reported)
for (let i = 0; i < 25; i++) {
  const t = local(15, int(30, 59), int(0, 59))
  const peer = `${int(177, 201)}.${int(1, 250)}.${int(1, 250)}.${int(1, 250)}`
  const sport = int(50000, 59999)
  if (usedPorts.has(sport)) continue
  fw(t, `TCP ${JOAO.ip}:${sport} ${peer}:${int(6881, 6889)} in via em1`)
  fw(t, `TCP ${JOAO.ip}:${sport} ${peer}:${int(6881, 6889)} out via em0`)
}
// incident 3: two clients, same source port, same destination, one second apart
for (const [c, d] of [[C31, 0], [C35, 1000]]) {
  const t = local(16, 12, 20) + SKEW + d
  fw(t, `TCP ${c.ip}:40001 200.160.3.103:6881 in via em1`)
  fw(t, `TCP ${c.ip}:40001 200.160.3.103:6881 out via em0`)
}
lines.sort((a, b) => a.ms - b.ms)

// rotate: security.1.gz (12:00-14:00), security.0.gz (14:00-16:00), security (16:00-)
function rotated(from, to, first) {
  const out = first ? [`${syslogStamp(from)} gw newsyslog[1342]: logfile turned over`] : []
  let prev = null
  let repeat = 0
  for (const l of lines) {
    if (l.ms < from || l.ms >= to) continue
    // syslogd folds identical consecutive lines
    const body = l.text.slice(16)
    if (prev === body) {
      repeat++
      continue
    }
    if (repeat) out.push(`${l.text.slice(0, 15)} gw syslogd: last message repeated ${repeat} times`)
    repeat = 0
    prev = body
    out.push(l.text)
  }
  return out.join('\n') + '\n'
}

// ---------------------------------------------------------------- DHCP: dhcpd syslog + current dhcpd.leases
const dh = [] // {ms, text}
const dhcpd = (ms, text) => dh.push({ms, text: `${syslogStamp(ms)} gw dhcpd: ${text}`})
function ack(c, t) {
  dhcpd(t, `DHCPREQUEST for ${c.ip} from ${c.mac} (${c.name}) via em1`)
  dhcpd(t, `DHCPACK on ${c.ip} to ${c.mac} (${c.name}) via em1`)
}
const LEASE = 2 * 3600_000
for (const c of [...clients, JOAO]) {
  let t = local(11, int(0, 50), int(0, 59))
  dhcpd(t, `DHCPDISCOVER from ${c.mac} via em1`)
  dhcpd(t, `DHCPOFFER on ${c.ip} to ${c.mac} (${c.name}) via em1`)
  ack(c, t)
  for (t += LEASE / 2; t < (c === JOAO ? local(16, 30) : END); t += LEASE / 2) ack(c, t)
}
dhcpd(local(16, 30, 7) + SKEW, `DHCPRELEASE of ${JOAO.ip} from ${JOAO.mac} (${JOAO.name}) via em1 (found)`)
dhcpd(local(17, 5, 12), `DHCPDISCOVER from ${MARIA.mac} via em1`)
dhcpd(local(17, 5, 12), `DHCPOFFER on ${MARIA.ip} to ${MARIA.mac} (${MARIA.name}) via em1`)
ack(MARIA, local(17, 5, 13))
dhcpd(local(13, 2, 0), `DHCPINFORM from 192.168.0.2 via em1`)
dhcpd(local(13, 2, 0), `DHCPACK to 192.168.0.2 (00:0c:29:9f:00:02) via em1`)
dh.sort((a, b) => a.ms - b.ms)

// dhcpd.leases as rewritten at 17:30 local: one block per current lease (times UTC); joao-pc's is gone
const blocks = [
  '# The format of this file is documented in the dhcpd.leases(5) manual page.',
  '# This lease file was written by isc-dhcp-4.2.5-P1',
  '',
]
const lastAck = new Map()
for (const l of dh) {
  const m = /DHCPACK on (\S+) to (\S+) \((\S+)\)/.exec(l.text)
  if (m) lastAck.set(m[1], {ms: l.ms, mac: m[2], name: m[3]})
}
for (const [ip, a] of [...lastAck.entries()].sort()) {
  blocks.push(
    `lease ${ip} {`,
    `  starts ${leaseStamp(a.ms)};`,
    `  ends ${leaseStamp(a.ms + LEASE)};`,
    `  cltt ${leaseStamp(a.ms)};`,
    '  binding state active;',
    '  next binding state free;',
    `  hardware ethernet ${a.mac};`,
    `  client-hostname "${a.name}";`,
    '}',
  )
}
blocks.push('server-duid "\\000\\001\\000\\001\\031\\2373\\356\\000\\014)\\237\\000\\001";', '')

// ---------------------------------------------------------------- the report (Registro.br style, pt-BR)
const reported = [
  ['2013-06-18 15:53:34', 52218],
  ['2013-06-18 15:53:37', 52218],
  ['2013-06-18 15:53:43', 52218],
  ['2013-06-18 15:54:59', 52518],
  ['2013-06-18 15:55:02', 52518],
  ['2013-06-18 15:55:08', 52518],
  ['2013-06-18 16:12:20', 40001],
  ['2013-06-18 08:02:11', 33011],
]
const logLines = reported.map(([t, p]) => `"${t}" x.x.x.x/${p}->xxx.xxx.3.103/6881 6(0)`).join('\n')
const body = `Prezado(a) responsável,

Recebemos, em nossos sistemas de monitoramento, tentativas de varredura
(TCP PORT SCAN) originadas de um endereço IP sob sua responsabilidade,
conforme os registros abaixo.

Solicitamos que sejam tomadas as providências necessárias para que esta
atividade cesse, e que nos responda com cópia para todos os endereços
listados acima, descrevendo as medidas tomadas:

  cert@cert.br, abuse@registro.br

Caso a atividade persista, o bloqueio unilateral do endereço poderá ser
efetuado, sem aviso prévio.

Registros (data e hora / origem / destino / protocolo):

${logLines}

Atenciosamente,
--
Registro.br - Segurança
https://registro.br/
`
function qp(text) {
  const bytes = Buffer.from(text, 'utf8')
  let out = ''
  let col = 0
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    if (b === 0x0a) {
      out += '\n'
      col = 0
      continue
    }
    const ch = (b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`
    if (col + ch.length > 75) {
      out += '=\n'
      col = 0
    }
    out += ch
    col += ch.length
  }
  return out
}
const eml = [
  'Return-Path: <abuse@registro.br>',
  'Received: from mail.registro.br (mail.registro.br [200.160.2.3])',
  '\tby mx.provedor-exemplo.com.br (Postfix) with ESMTPS id 3F2A1C0012',
  '\tfor <abuse@provedor-exemplo.com.br>; Wed, 19 Jun 2013 10:12:45 -0300 (BRT)',
  'From: "Registro.br - Seguranca" <abuse@registro.br>',
  'To: abuse@provedor-exemplo.com.br',
  'Cc: cert@cert.br',
  'Subject: [NicBr-20130619-133 ] TCP PORT SCAN x.x.x.x -> xxx.xxx.3.103/32 (PORT:6881)',
  'Date: Wed, 19 Jun 2013 10:12:40 -0300',
  'Message-ID: <20130619131240.GA4417@abuse.registro.br>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  qp(body),
].join('\n')

// ---------------------------------------------------------------- write
rmSync(root, {recursive: true, force: true})
const write = (rel, data) => {
  const p = join(root, rel)
  mkdirSync(dirname(p), {recursive: true})
  writeFileSync(p, data)
}
write('reports/nicbr-portscan.eml', eml)
write('nat/security.1.gz', gzipSync(Buffer.from(rotated(START - 3600_000, local(14, 0), false)), {level: 9}))
write('nat/security.0.gz', gzipSync(Buffer.from(rotated(local(14, 0), local(16, 0), true)), {level: 9}))
write('nat/security', rotated(local(16, 0), END + 3600_000, true))
write('dhcp/dhcpd.log', dh.map((l) => l.text).join('\n') + '\n')
write('dhcp/dhcpd.leases', blocks.join('\n'))
write(
  'README.md',
  `# samples/: the seed case, invented

Written by \`node scripts/make-samples.mjs\` (deterministic). See the comment at the top of that script for the story.

- \`reports/nicbr-portscan.eml\` — a Registro.br-style TCP PORT SCAN notice in Portuguese (quoted-printable), our
  address masked as x.x.x.x (pass \`--public-ip 203.0.113.5\`), times without a zone (Brazilian reporters mean
  America/Sao_Paulo).
- \`nat/security.1.gz\`, \`nat/security.0.gz\`, \`nat/security\` — FreeBSD ipfw \`count log\` lines of the gateway, rotated,
  local time America/Sao_Paulo (pass \`--log-tz America/Sao_Paulo\`); the gateway's clock runs 4 s ahead.
- \`dhcp/dhcpd.log\` — ISC dhcpd syslog (the lease history); \`dhcp/dhcpd.leases\` — the current lease file (only the
  present: 192.168.0.23 now belongs to maria-note, not to the customer who held it during the scan).

Expected: incidents 1-2 (source ports 52218, 52518) → 192.168.0.23, joao-pc, 00:1e:c2:aa:bb:cc; incident 3 (port
40001) ambiguous between 192.168.0.31 and 192.168.0.35; incident 4 (08:02) not found, the logs start at 12:00.
`,
)
console.log(`samples written to ${root}`)
