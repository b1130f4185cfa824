/**
 * Hand-made attribution results for the draft tests (invented values). Every customer field carries a distinctive
 * value listed in CUSTOMER_SECRETS so a test can prove none of them reaches the reporter.
 */
import type {Attribution, AttributionResult, Candidate, Evidence, IncidentOut} from '../../src/model.js'

export interface Client {
  insideIp: string
  insidePort: number
  mac: string
  hostname: string
  subscriber: string
  email?: string
}

export const ALICE: Client = {insideIp: '10.77.191.203', insidePort: 47391, mac: 'de:ad:be:ef:71:01', hostname: 'quasar-notebook', subscriber: 'SUB-Wilhelmina-Zarkov-90817', email: 'wilhelmina.zarkov@cliente.example.com'}
export const BOB: Client = {insideIp: '10.77.191.37', insidePort: 47392, mac: 'de:ad:be:ef:71:02', hostname: 'fenrir-desktop', subscriber: 'SUB-Bartholomew-Quince-60231'}
export const CAROL: Client = {insideIp: '10.77.191.148', insidePort: 47393, mac: 'de:ad:be:ef:71:03', hostname: 'gorgonzola-tv', subscriber: 'SUB-Carolyne-Vesuvio-11523'}
export const DAVE: Client = {insideIp: '100.66.23.199', insidePort: 47394, mac: 'de:ad:be:ef:71:04', hostname: 'ornitorrinco-pc', subscriber: 'SUB-Dagoberto-Pimpinela-33391', email: 'dagoberto@cliente.example.org'}

/** Strings that must never appear in anything sent to the reporter. */
export const CUSTOMER_SECRETS: string[] = [ALICE, BOB, CAROL, DAVE].flatMap((c) => [
  c.insideIp,
  c.mac,
  c.mac.toUpperCase(),
  c.mac.replace(/:/g, '-'),
  c.hostname,
  c.subscriber,
  ...(c.email ? [c.email] : []),
])
/** Inside ports: numbers, checked as whole words in decoded text. */
export const CUSTOMER_PORTS: number[] = [ALICE, BOB, CAROL, DAVE].map((c) => c.insidePort)

function natEv(c: Client, publicPort: number, dest: string, stamp: string): Evidence {
  return {file: 'logs/security', line: 1200 + publicPort % 100, text: `${stamp} gw kernel: ipfw: 1 Count TCP ${c.insideIp}:${c.insidePort} ${dest} out via em0`, role: 'outbound packet'}
}
function leaseEv(c: Client): Evidence {
  return {file: 'leases/dhcpd.log', line: 88, text: `Jun 18 14:02:11 gw dhcpd: DHCPACK on ${c.insideIp} to ${c.mac} (${c.hostname}) via em1`, role: 'DHCPACK'}
}

export function attributed(c: Client, publicPort: number, dest: string, stamp: string, opts: {email?: boolean} = {}): Attribution {
  return {
    status: 'attributed',
    insideIp: c.insideIp,
    insidePort: c.insidePort,
    mac: c.mac,
    hostname: c.hostname,
    subscriber: c.subscriber,
    ...(opts.email && c.email ? {email: c.email} : {}),
    confidence: 0.97,
    reason: `only ${c.insideIp} (${c.mac}) sent to ${dest} from port ${publicPort} within 3 s`,
    evidence: [natEv(c, publicPort, dest, stamp), leaseEv(c)],
    candidates: [],
  }
}

export function candidate(c: Client, publicPort: number, dest: string, stamp: string): Candidate {
  return {
    insideIp: c.insideIp,
    insidePort: c.insidePort,
    mac: c.mac,
    hostname: c.hostname,
    subscriber: c.subscriber,
    offsetSeconds: 1,
    confidence: 0.5,
    reason: `${c.insideIp} sent to ${dest} within the skew window`,
    evidence: [natEv(c, publicPort, dest, stamp), leaseEv(c)],
  }
}

export function ambiguous(cands: Candidate[]): Attribution {
  return {status: 'ambiguous', insideIp: null, insidePort: null, mac: null, hostname: null, subscriber: null, confidence: 0.5, reason: `${cands.length} clients match: ${cands.map((c) => `${c.insideIp} ${c.mac} ${c.hostname}`).join(', ')}`, evidence: [], candidates: cands}
}

export function notFound(reason: string): Attribution {
  return {status: 'not-found', insideIp: null, insidePort: null, mac: null, hostname: null, subscriber: null, confidence: 0, reason, evidence: [], candidates: []}
}

function incident(
  time: string,
  reportedTime: string,
  pub: [string | null, number | null],
  dest: [string, number],
  raw: string,
  attribution: Attribution,
  times: string[] = [time],
): IncidentOut {
  return {time, times, reportedTime, publicIp: pub[0], publicPort: pub[1], portRole: pub[1] === null ? null : 'source', destIp: dest[0], destPort: dest[1], protocol: 'tcp', raw, attribution}
}

const NAT_INPUT = {file: 'logs/security', format: 'ipfw', zone: 'America/Sao_Paulo', zoneHow: 'flag' as const, firstTime: '2013-06-18T12:00:00Z', lastTime: '2013-06-18T23:59:59Z', records: 41234, malformed: 2}
const LEASE_INPUT = {file: 'leases/dhcpd.log', format: 'isc-dhcpd-syslog', zone: 'America/Sao_Paulo', zoneHow: 'flag' as const, firstTime: '2013-06-17T00:00:00Z', lastTime: '2013-06-19T00:00:00Z', records: 311, malformed: 0}

/** A registro.br notification in Portuguese: attributed, ambiguous, no source port, outside log coverage. */
export function registroBr(): AttributionResult {
  const dest = '200.160.3.103'
  return {
    report: {
      file: 'reports/nicbr.eml',
      format: 'registro-br',
      reporter: 'registro.br',
      ticket: 'NicBr-20130619-133',
      subject: '[NicBr-20130619-133 ] TCP PORT SCAN x.x.x.x -> xxx.xxx.3.103/32 (PORT:6881)',
      messageId: '<20130619123456.ABC123@registro.br>',
      from: 'CERT.br / Registro.br <cert@cert.br>',
      replyTo: ['cert@cert.br', 'Abuse Registro.br <abuse@registro.br>', 'mail-abuse@nic.br'],
      date: '2013-06-19T12:34:56Z',
      language: 'pt-BR',
      zone: 'America/Sao_Paulo',
    },
    assumptions: [
      {kind: 'report-zone', text: 'report times carry no zone: read in America/Sao_Paulo (registro.br convention)'},
      {kind: 'log-zone', text: 'ipfw log stamps read in America/Sao_Paulo (--log-tz)', file: 'logs/security'},
    ],
    incidents: [
      incident('2013-06-18T18:53:34Z', '2013-06-18 15:53:34', ['198.51.100.7', 52218], [dest, 6881], '"2013-06-18 15:53:34" x.x.x.x/52218->xxx.xxx.3.103/6881 6(0)', attributed(ALICE, 52218, dest, 'Jun 18 15:53:35'), ['2013-06-18T18:53:34Z', '2013-06-18T18:53:37Z', '2013-06-18T18:53:43Z']),
      incident('2013-06-18T18:54:59Z', '2013-06-18 15:54:59', ['198.51.100.7', 52518], [dest, 6881], '"2013-06-18 15:54:59" x.x.x.x/52518->xxx.xxx.3.103/6881 6(0)', attributed(ALICE, 52518, dest, 'Jun 18 15:55:00')),
      incident('2013-06-18T19:10:02Z', '2013-06-18 16:10:02', ['198.51.100.7', 53001], [dest, 6882], '"2013-06-18 16:10:02" x.x.x.x/53001->xxx.xxx.3.103/6882 6(0)', ambiguous([candidate(BOB, 53001, dest, 'Jun 18 16:10:03'), candidate(CAROL, 53001, dest, 'Jun 18 16:10:04')])),
      incident('2013-06-18T19:20:00Z', '2013-06-18 16:20:00', ['198.51.100.7', null], [dest, 6883], '"2013-06-18 16:20:00" x.x.x.x->xxx.xxx.3.103/6883 6(0)', notFound('no source port: 14 clients sent to 200.160.3.103:6883 in the window')),
      incident('2013-06-17T10:00:00Z', '2013-06-17 07:00:00', ['198.51.100.7', 40001], [dest, 6881], '"2013-06-17 07:00:00" x.x.x.x/40001->xxx.xxx.3.103/6881 6(0)', notFound('NAT logs do not cover 2013-06-17T10:00:00Z (first record 2013-06-18T12:00:00Z)')),
    ],
    clients: [{insideIp: ALICE.insideIp, mac: ALICE.mac, hostname: ALICE.hostname, subscriber: ALICE.subscriber, incidents: [0, 1], firstSeen: '2013-06-18T18:53:34Z', lastSeen: '2013-06-18T18:54:59Z'}],
    clockOffsetSeconds: 1,
    inputs: {nat: [{...NAT_INPUT}], leases: [{...LEASE_INPUT}]},
    warnings: [],
  }
}

/** An English SpamCop-style report: one attributed client whose e-mail is known, one address that is not ours. */
export function spamcop(): AttributionResult {
  return {
    report: {
      file: 'reports/spamcop.eml',
      format: 'spamcop',
      reporter: 'SpamCop',
      ticket: 'id:7234567890',
      subject: '[SpamCop (http://www.example.com/) id:7234567890]Get cheap pills now',
      messageId: '<rid_7234567890@msgid.spamcop.net>',
      from: 'SpamCop <7234567890@reports.spamcop.net>',
      replyTo: [],
      date: '2024-03-05T09:00:00Z',
      language: 'en',
      zone: 'UTC',
    },
    assumptions: [{kind: 'report-zone', text: 'the report states its times in UTC'}],
    incidents: [
      incident('2024-03-04T22:15:07Z', '2024-03-04T22:15:07Z', ['198.51.100.9', 61022], ['192.0.2.25', 25], 'Received: from [198.51.100.9] port 61022 by mx.victim.example with SMTP; Mon, 4 Mar 2024 22:15:07 +0000', attributed(DAVE, 61022, '192.0.2.25:25', 'Mar  4 22:15:07', {email: true})),
      incident('2024-03-04T22:16:00Z', '2024-03-04T22:16:00Z', ['203.0.113.77', 61999], ['192.0.2.25', 25], 'Received: from [203.0.113.77] port 61999', notFound('203.0.113.77 is not one of our networks (--our-networks)')),
    ],
    clients: [{insideIp: DAVE.insideIp, mac: DAVE.mac, hostname: DAVE.hostname, subscriber: DAVE.subscriber, email: DAVE.email!, incidents: [0], firstSeen: '2024-03-04T22:15:07Z', lastSeen: '2024-03-04T22:15:07Z'}],
    clockOffsetSeconds: null,
    inputs: {nat: [{...NAT_INPUT, firstTime: '2024-03-04T00:00:00Z', lastTime: '2024-03-05T00:00:00Z', zone: 'UTC'}], leases: [{...LEASE_INPUT, zone: 'UTC'}]},
    warnings: [],
  }
}

/** A Spanish CSIRT report: one attributed client, one event with no matching translation. */
export function csirtEs(): AttributionResult {
  return {
    report: {
      file: 'reports/csirt.eml',
      format: 'generic-text',
      reporter: 'CSIRT Ejemplo',
      ticket: 'CSIRT-2025-0042',
      subject: '[CSIRT-2025-0042] Intentos de fuerza bruta SSH desde su red',
      messageId: '<caso-0042@csirt.example.cl>',
      from: 'CSIRT Ejemplo <incidentes@csirt.example.cl>',
      replyTo: ['soc@csirt.example.cl'],
      date: '2025-01-10T15:00:00Z',
      language: 'es',
      zone: 'America/Santiago',
    },
    assumptions: [{kind: 'report-zone', text: 'times read in America/Santiago (-03:00 stated)'}],
    incidents: [
      incident('2025-01-10T13:05:00Z', '2025-01-10 10:05:00 -03:00', ['198.51.100.20', 44001], ['192.0.2.22', 22], '2025-01-10 10:05:00 -0300 198.51.100.20:44001 -> 192.0.2.22:22 ssh login failed', attributed(BOB, 44001, '192.0.2.22:22', 'Jan 10 10:05:00')),
      incident('2025-01-10T13:40:00Z', '2025-01-10 10:40:00 -03:00', ['198.51.100.20', 44999], ['192.0.2.22', 22], '2025-01-10 10:40:00 -0300 198.51.100.20:44999 -> 192.0.2.22:22 ssh login failed', notFound('no NAT record for 198.51.100.20:44999 within 120 s')),
    ],
    clients: [{insideIp: BOB.insideIp, mac: BOB.mac, hostname: BOB.hostname, subscriber: BOB.subscriber, incidents: [0], firstSeen: '2025-01-10T13:05:00Z', lastSeen: '2025-01-10T13:05:00Z'}],
    clockOffsetSeconds: null,
    inputs: {nat: [{...NAT_INPUT, firstTime: '2025-01-10T00:00:00Z', lastTime: '2025-01-11T00:00:00Z'}], leases: [{...LEASE_INPUT}]},
    warnings: [],
  }
}

export const OPERATOR = {
  organisation: 'Provedor Exemplo Ltda',
  from: 'Provedor Exemplo Abuse <abuse@provedor.example.net>',
  signature: 'Equipe de Segurança — Provedor Exemplo\nAS64500',
  timeZone: 'America/Sao_Paulo',
}
