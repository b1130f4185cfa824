import {describe, expect, it} from 'vitest'
import {readReport} from '../../src/report/index.js'
import {iso} from './helpers.js'

const FIX = 'test/fixtures/report'

describe('X-ARF 0.2', () => {
  it('reads Port as the attacked port (destination), never our source port; IPv6 canonical; ticket from RID', async () => {
    const r = await readReport(`${FIX}/xarf-0.2-ssh-ipv6.eml`)
    expect(r.format).toBe('xarf')
    expect(r.ticket).toBe('987654')
    expect(r.incidents).toHaveLength(1)
    const i = r.incidents[0]!
    expect(i.publicIp).toBe('2001:db8::77')
    expect(i.portRole).toBe('destination')
    expect(i.publicPort).toBe(22)
    expect(iso(i.time)).toBe('2025-03-04T09:11:12Z')
    expect(i.zone.how).toBe('stated')
  })
})

describe('X-ARF-like YAML from other senders', () => {
  it('batched base64 YAML attachments with quoted values and python tags: one incident each', async () => {
    const r = await readReport(`${FIX}/xarf-batched-yaml-attachments.eml`)
    expect(r.format).toBe('xarf')
    expect(r.ticket).toBeNull()
    expect(r.incidents).toHaveLength(2)
    for (const i of r.incidents) {
      expect(i).toMatchObject({publicIp: '198.51.100.140', publicPort: 443, portRole: 'destination'})
      expect(iso(i.time)).toBe('2025-04-02T00:03:11Z')
    }
  })

  it('lower-case keys (ip, last_seen) and a CSIRT ticket tag; no port', async () => {
    const r = await readReport(`${FIX}/xarf-like-malware-url-lowercase.eml`)
    expect(r.ticket).toBe('CSIRT#2025040100000042')
    expect(r.incidents[0]).toMatchObject({publicIp: '203.0.113.200', publicPort: null, portRole: null})
    expect(iso(r.incidents[0]!.time)).toBe('2025-04-01T02:04:18Z')
  })
})

describe('XARF 4 JSON', () => {
  it('reads source_port as our source port from a bare JSON file', async () => {
    const r = await readReport(`${FIX}/xarf4-login-attack.json`)
    expect(r.format).toBe('xarf-json')
    expect(r.ticket).toBe('6a1e2c44-0b1f-4b5a-9d7e-1f2e3d4c5b6a')
    expect(r.reporter).toBe('Example Honeynet')
    expect(r.incidents[0]).toMatchObject({publicIp: '203.0.113.120', publicPort: 44321, portRole: 'source', destIp: '192.0.2.200', destPort: 22, protocol: 'tcp'})
    expect(iso(r.incidents[0]!.time)).toBe('2025-03-09T08:15:30Z')
  })
})

describe('ARF', () => {
  it('reads Source-IP (any case), Source-Port (RFC 6692) and Arrival-Date with a zone abbreviation', async () => {
    const r = await readReport(`${FIX}/arf-source-port-est.eml`)
    expect(r.format).toBe('arf')
    expect(r.incidents[0]).toMatchObject({publicIp: '198.51.100.61', publicPort: 40588, portRole: 'source'})
    // EST = -05:00; not the report's own Date
    expect(iso(r.incidents[0]!.time)).toBe('2025-03-05T04:58:10Z')
  })
})

describe('ARF without Source-IP and JMRP', () => {
  it('takes the IP from the attached message when the feedback report has no Source-IP, and flags it', async () => {
    const r = await readReport(`${FIX}/arf-no-source-ip.eml`)
    expect(r.format).toBe('arf')
    expect(r.incidents[0]).toMatchObject({publicIp: '203.0.113.31', publicPort: null, portRole: null})
    // Received-Date PDT = -07:00
    expect(iso(r.incidents[0]!.time)).toBe('2025-04-11T06:40:12Z')
    expect(r.assumptions.some((a) => /no Source-IP/.test(a.text))).toBe(true)
  })

  it('reads a JMRP complaint: IP from the subject, time from X-OriginalArrivalTime', async () => {
    const r = await readReport(`${FIX}/jmrp-complaint.eml`)
    expect(r.format).toBe('arf')
    expect(r.incidents[0]!.publicIp).toBe('203.0.113.32')
    expect(iso(r.incidents[0]!.time)).toBe('2025-04-11T07:34:45Z')
  })
})

describe('ACNS', () => {
  it('reads the PGP dash-escaped inline XML and the attachment as ONE notice; Port = listening', async () => {
    const r = await readReport(`${FIX}/acns-pgp-inline-and-attached.eml`)
    expect(r.format).toBe('acns')
    expect(r.ticket).toBe('55501234')
    expect(r.incidents).toHaveLength(1)
    expect(r.incidents[0]).toMatchObject({publicIp: '203.0.113.88', publicPort: 51413, portRole: 'listening', protocol: null})
    expect(iso(r.incidents[0]!.time)).toBe('2025-03-06T21:14:09Z')
  })
})

describe('Shadowserver', () => {
  it('scan_* in a .csv.zip: port is LISTENING, timestamps UTC by format convention, one incident per row', async () => {
    const r = await readReport(`${FIX}/shadowserver-scan-http-zip.eml`)
    expect(r.format).toBe('shadowserver-csv')
    expect(r.incidents).toHaveLength(3)
    expect(r.incidents.every((i) => i.portRole === 'listening')).toBe(true)
    expect(r.incidents[0]).toMatchObject({publicIp: '203.0.113.45', publicPort: 8443, protocol: 'tcp'})
    expect(iso(r.incidents[0]!.time)).toBe('2024-03-10T04:12:09Z')
    expect(r.incidents[0]!.zone).toEqual({zone: 'UTC', how: 'format'})
  })

  it('event4_*: src_port is our source port; rows sorted; a broken row is skipped with a warning', async () => {
    const r = await readReport(`${FIX}/shadowserver-event4-sinkhole.eml`)
    expect(r.incidents).toHaveLength(2)
    expect(r.incidents[0]).toMatchObject({publicPort: 51022, portRole: 'source', destIp: '198.51.100.21', destPort: 443})
    expect(r.assumptions.some((a) => /row 4/.test(a.text))).toBe(true)
  })

  it('reads a downloaded .csv.zip given directly', async () => {
    const {zipSync, strToU8} = await import('fflate')
    const {mkdtempSync, writeFileSync} = await import('node:fs')
    const {tmpdir} = await import('node:os')
    const {join} = await import('node:path')
    const f = join(mkdtempSync(join(tmpdir(), 'natrace-report-')), 'report.csv.zip')
    writeFileSync(f, zipSync({'2024-03-10-event4_honeypot_brute_force-x-asn.csv': strToU8('"timestamp","protocol","src_ip","src_port","dst_port"\n"2024-03-10 00:00:44",tcp,203.0.113.9,44054,22\n')}))
    const r = await readReport(f)
    expect(r.format).toBe('shadowserver-csv')
    expect(r.incidents[0]).toMatchObject({publicIp: '203.0.113.9', publicPort: 44054, portRole: 'source', destPort: 22})
  })

  it('names a corrupt zip in the error', async () => {
    await expect(readReport(`${FIX}/shadowserver-corrupt-zip.eml`)).rejects.toThrow(/corrupt zip/)
  })
})

describe('SpamCop', () => {
  it('reads the id tag despite an RFC 2047 subject and the truncated zone comment', async () => {
    const r = await readReport(`${FIX}/spamcop-rfc2047.eml`)
    expect(r.format).toBe('spamcop')
    expect(r.ticket).toBe('7654321')
    expect(r.subject).toContain('Ofertas imperdíveis')
    expect(r.incidents[0]).toMatchObject({publicIp: '203.0.113.99', publicPort: null, portRole: null})
    expect(iso(r.incidents[0]!.time)).toBe('2025-03-07T22:34:13Z')
  })
})

describe('forwarded and HTML reports', () => {
  it('reads a report forwarded as a message/rfc822 attachment with its own sender, ticket and convention', async () => {
    const r = await readReport(`${FIX}/forwarded-rfc822-registro-br.eml`)
    expect(r.format).toBe('registro-br')
    expect(r.reporter).toBe('CERT.br')
    expect(r.ticket).toBe('NicBr-20250310-0077')
    expect(r.incidents).toHaveLength(1)
    expect(r.incidents[0]!.times).toHaveLength(2)
    // March 2025: Brazil has had no DST since 2019 → -03:00
    expect(iso(r.incidents[0]!.time)).toBe('2025-03-10T01:41:05Z')
    expect(r.assumptions.some((a) => a.kind === 'forwarded-report')).toBe(true)
  })

  it('reads an inline "Forwarded message" block as the report', async () => {
    const r = await readReport(`${FIX}/forwarded-inline-generic.eml`)
    expect(r.reporter).toBe('hosting.example')
    expect(r.ticket).toBe('Ticket#88120')
    expect(r.incidents.map((i) => i.publicPort)).toEqual([50123, 50131])
  })

  it('reads an HTML-only Windows-1252 table: the column states UTC, source ports are ours', async () => {
    const r = await readReport(`${FIX}/html-only-windows-1252.eml`)
    expect(r.language).toBe('es')
    expect(r.ticket).toBe('CSIRT#2024050200017')
    expect(r.replyTo).toContain('csirt@ejemplo-cert.example')
    expect(r.incidents).toHaveLength(2)
    expect(r.incidents[0]).toMatchObject({publicIp: '203.0.113.77', publicPort: 49152, portRole: 'source', destIp: '192.0.2.10', destPort: 3389})
    expect(iso(r.incidents[0]!.time)).toBe('2024-05-02T14:03:11Z')
    expect(r.incidents[0]!.zone.how).toBe('stated')
  })
})

describe('--our-networks', () => {
  it('flags incidents outside our address space instead of dropping them', async () => {
    const r = await readReport(`${FIX}/forwarded-inline-generic.eml`, {ourNetworks: ['198.51.100.0/24']})
    expect(r.incidents.every((i) => i.outsideOurNetworks)).toBe(true)
    expect(r.assumptions.some((a) => a.kind === 'not-our-network' && a.text.includes('203.0.113.150'))).toBe(true)
    const ok = await readReport(`${FIX}/forwarded-inline-generic.eml`, {ourNetworks: ['203.0.113.0/24']})
    expect(ok.incidents.some((i) => i.outsideOurNetworks)).toBe(false)
  })

  it('rejects a bad CIDR as a usage error', async () => {
    await expect(readReport(`${FIX}/forwarded-inline-generic.eml`, {ourNetworks: ['300.1.2.0/24']})).rejects.toMatchObject({exitCode: 2})
  })
})
