/**
 * Hand-made attribution results for the review screen's component tests: a CGNAT operator's registro.br notice
 * with one incident attributed, one ambiguous (two clients on the same public port inside the skew window) and
 * one not found (before the logs start). Values invented; documentation address ranges.
 */
import type {AttributionResult, Candidate, IncidentOut} from '../../src/model.js'

const natLine1 =
  'Mar 14 15:22:07 cgnat1 kernel: [NAT] tcp 100.64.3.17:40112 -> 203.0.113.7:51234 dst 198.51.100.9:25 new'
const leaseLine1 =
  'Mar 14 09:02:11 dhcp1 dhcpd[811]: DHCPACK on 100.64.3.17 to 00:1e:c2:aa:bb:01 (joao-pc) via eth1'

export const attributedCandidate: Candidate = {
  insideIp: '100.64.3.17',
  insidePort: 40112,
  mac: '00:1e:c2:aa:bb:01',
  hostname: 'joao-pc',
  subscriber: 'sub-1042',
  offsetSeconds: 2,
  confidence: 0.97,
  reason: 'the only NAT session on 203.0.113.7:51234 within ±120 s; lease held 09:02:11–21:02:11 UTC',
  evidence: [
    {file: 'logs/cgnat.log', line: 1204, text: natLine1, role: 'NAT session start'},
    {file: 'leases/dhcpd.log', line: 88, text: leaseLine1, role: 'DHCPACK (lease start)'},
  ],
}

const otherHolder: Candidate = {
  insideIp: '100.64.3.17',
  insidePort: null,
  mac: '00:1e:c2:aa:bb:99',
  hostname: 'tv-box',
  subscriber: 'sub-2077',
  offsetSeconds: null,
  confidence: 0,
  reason: 'held 100.64.3.17 until 08:55:00 UTC, before the reported time: set aside',
  evidence: [
    {
      file: 'leases/dhcpd.log',
      line: 61,
      text: 'Mar 14 08:55:00 dhcp1 dhcpd[811]: DHCPRELEASE of 100.64.3.17 from 00:1e:c2:aa:bb:99 (tv-box) via eth1',
      role: 'DHCPRELEASE (lease end)',
    },
  ],
}

const ambA: Candidate = {
  insideIp: '100.64.9.2',
  insidePort: 51000,
  mac: '3c:22:fb:10:20:30',
  hostname: 'ana-laptop',
  subscriber: 'sub-3301',
  offsetSeconds: -40,
  confidence: 0.5,
  reason: 'NAT session on 203.0.113.7:60001 at −40 s',
  evidence: [
    {
      file: 'logs/cgnat.log.1.gz',
      line: 77,
      text: 'Mar 14 17:59:20 cgnat1 kernel: [NAT] udp 100.64.9.2:51000 -> 203.0.113.7:60001 dst 192.0.2.44:123 new',
      role: 'NAT session start',
    },
  ],
}

const ambB: Candidate = {
  insideIp: '100.64.9.77',
  insidePort: 41000,
  mac: 'a4:5e:60:01:02:03',
  hostname: null,
  subscriber: 'sub-3388',
  email: 'cliente3388@example.com',
  offsetSeconds: 55,
  confidence: 0.5,
  reason: 'NAT session on 203.0.113.7:60001 at +55 s',
  evidence: [
    {
      file: 'logs/cgnat.log.1.gz',
      line: 91,
      text: 'Mar 14 18:00:55 cgnat1 kernel: [NAT] udp 100.64.9.77:41000 -> 203.0.113.7:60001 dst 192.0.2.44:123 new',
      role: 'NAT session start',
    },
  ],
}

function incident(partial: Partial<IncidentOut> & Pick<IncidentOut, 'time' | 'attribution'>): IncidentOut {
  return {
    times: [partial.time],
    reportedTime: partial.time,
    publicIp: '203.0.113.7',
    publicPort: null,
    portRole: 'source',
    destIp: null,
    destPort: null,
    protocol: 'tcp',
    raw: '',
    ...partial,
  }
}

export function sampleResult(): AttributionResult {
  return {
    report: {
      file: 'reports/nicbr-2026-0314.eml',
      format: 'registro-br',
      reporter: 'cert.br',
      ticket: 'NicBr-20260314-0042',
      subject: '[NicBr-20260314-0042] Notificacao de abuso \u001b]0;pwned\u0007de 203.0.113.7',
      messageId: '<abc123@cert.br>',
      from: 'cert@cert.br',
      replyTo: ['cert@cert.br', 'abuse@example.net'],
      date: '2026-03-14T21:00:00.000Z',
      language: 'pt-BR',
      zone: 'America/Sao_Paulo',
    },
    assumptions: [
      {kind: 'report-zone', text: 'report times without zone read in America/Sao_Paulo (registro.br convention)'},
      {kind: 'log-zone', text: 'logs/cgnat.log stamps read in UTC (--log-tz)', file: 'logs/cgnat.log'},
      {kind: 'syslog-year', text: 'syslog year 2026 taken from the report date'},
      {kind: 'clock-offset', text: 'log clock ahead of the reporter by about 2 s'},
    ],
    incidents: [
      incident({
        time: '2026-03-14T18:22:05.000Z',
        reportedTime: '2026-03-14T15:22:05-03:00',
        publicPort: 51234,
        destIp: '198.51.100.9',
        destPort: 25,
        raw: '203.0.113.7:51234 -> 198.51.100.9:25 2026-03-14 15:22:05',
        logTime: '2026-03-14T18:22:07.000Z',
        attribution: {
          status: 'attributed',
          insideIp: '100.64.3.17',
          insidePort: 40112,
          mac: '00:1e:c2:aa:bb:01',
          hostname: 'joao-pc',
          subscriber: 'sub-1042',
          confidence: 0.97,
          reason: 'one NAT session and one lease holder at the reported time',
          evidence: attributedCandidate.evidence,
          candidates: [attributedCandidate, otherHolder],
        },
      }),
      incident({
        time: '2026-03-14T18:00:00.000Z',
        reportedTime: '2026-03-14T15:00:00-03:00',
        publicPort: 60001,
        destIp: '192.0.2.44',
        destPort: 123,
        protocol: 'udp',
        raw: '203.0.113.7:60001 -> 192.0.2.44:123 2026-03-14 15:00:00 \u001b[2J\u001b[31mFAKE',
        attribution: {
          status: 'ambiguous',
          insideIp: null,
          insidePort: null,
          mac: null,
          hostname: null,
          subscriber: null,
          confidence: 0.5,
          reason: 'two clients used 203.0.113.7:60001 within ±120 s of the reported time',
          evidence: [],
          candidates: [ambA, ambB],
        },
      }),
      incident({
        time: '2026-03-01T03:10:00.000Z',
        reportedTime: '2026-03-01T00:10:00-03:00',
        publicPort: null,
        portRole: null,
        protocol: null,
        raw: '203.0.113.7 2026-03-01 00:10:00 -> xxx.xxx.3.103',
        destIpMasked: 'xxx.xxx.3.103',
        attribution: {
          status: 'not-found',
          step: 'nat',
          insideIp: null,
          insidePort: null,
          mac: null,
          hostname: null,
          subscriber: null,
          confidence: 0,
          reason: 'no source port reported and the NAT logs start at 2026-03-10T00:00:00Z',
          evidence: [],
          candidates: [],
        },
      }),
    ],
    clients: [
      {
        insideIp: '100.64.3.17',
        mac: '00:1e:c2:aa:bb:01',
        hostname: 'joao-pc',
        subscriber: 'sub-1042',
        incidents: [0],
        firstSeen: '2026-03-14T18:22:05.000Z',
        lastSeen: '2026-03-14T18:22:05.000Z',
      },
    ],
    clockOffsetSeconds: 2,
    inputs: {
      nat: [
        {
          file: 'logs/cgnat.log',
          format: 'generic-nat',
          zone: 'UTC',
          zoneHow: 'flag',
          firstTime: '2026-03-10T00:00:00.000Z',
          lastTime: '2026-03-14T23:59:59.000Z',
          records: 120000,
          malformed: 3,
        },
      ],
      leases: [
        {
          file: 'leases/dhcpd.log',
          format: 'isc-dhcpd-syslog',
          zone: 'America/Sao_Paulo',
          zoneHow: 'system',
          firstTime: '2026-03-10T00:00:00.000Z',
          lastTime: '2026-03-14T23:00:00.000Z',
          records: 5000,
          malformed: 0,
        },
      ],
    },
    warnings: ['logs/cgnat.log:3301: line longer than 64 KiB skipped'],
  }
}

/** A report with many incidents, to exercise scrolling of the list. */
export function manyIncidents(n: number): AttributionResult {
  const base = sampleResult()
  const first = base.incidents[0]!
  const incidents: IncidentOut[] = []
  for (let i = 0; i < n; i++) {
    incidents.push({...first, publicPort: 50000 + i, raw: `incident ${i + 1}`})
  }
  return {...base, incidents}
}
