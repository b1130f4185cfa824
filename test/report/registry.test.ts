import {describe, expect, it} from 'vitest'
import {loadMessage} from '../../src/report/message.js'
import {pickFormat, REPORT_FORMATS} from '../../src/report/registry.js'
import {mail, reportOf} from './helpers.js'

const FIX = 'test/fixtures/report'

describe('format detection', () => {
  it.each([
    ['registro-br-masked-seed.eml', 'registro-br'],
    ['xarf-0.2-ssh-ipv6.eml', 'xarf'],
    ['xarf4-login-attack.json', 'xarf-json'],
    ['arf-source-port-est.eml', 'arf'],
    ['acns-pgp-inline-and-attached.eml', 'acns'],
    ['shadowserver-scan-http-zip.eml', 'shadowserver-csv'],
    ['shadowserver-event4-sinkhole.eml', 'shadowserver-csv'],
    ['spamcop-rfc2047.eml', 'spamcop'],
    ['html-only-windows-1252.eml', 'generic-text'],
  ])('%s is read as %s', async (file, format) => {
    const msg = await loadMessage(`${FIX}/${file}`)
    expect(pickFormat(msg)?.format.name).toBe(format)
  })

  it('every format has a unique name and a description', () => {
    const names = REPORT_FORMATS.map((f) => f.name)
    expect(new Set(names).size).toBe(names.length)
    for (const f of REPORT_FORMATS) expect(f.description.length).toBeGreaterThan(10)
  })
})

describe('X-ARF ports', () => {
  it('Source-Port, when present, is our source port; Port stays the attacked one', async () => {
    const body = [
      'Hello,',
      '',
      '---',
      'Reported-From: abuse@honeypot.example',
      'Category: abuse',
      'Report-Type: login-attack',
      'Version: 0.2',
      'Date: 2025-02-01T10:00:00+01:00',
      'Source-Type: ip-address',
      'Source: 198.51.100.80',
      'Source-Port: 50555',
      'Port: 22',
    ].join('\n')
    const r = await reportOf(mail({Subject: 'abuse report about 198.51.100.80', 'X-ARF': 'YES'}, body))
    expect(r.format).toBe('xarf')
    expect(r.incidents[0]).toMatchObject({publicIp: '198.51.100.80', publicPort: 50555, portRole: 'source', destPort: 22})
  })

  it('Port of an open-service report (open resolver / proxy) is a port our host listens on', async () => {
    const body = ['---', 'Reported-From: scan@scanner.example', 'Category: info', 'Report-Type: open-resolver', 'Version: 0.2', 'Date: 2025-02-01T10:00:00Z', 'Source-Type: ip-address', 'Source: 198.51.100.81', 'Port: 53'].join('\n')
    const r = await reportOf(mail({Subject: 'open resolver 198.51.100.81', 'X-ARF': 'YES'}, body))
    expect(r.incidents[0]).toMatchObject({publicIp: '198.51.100.81', publicPort: 53, portRole: 'listening'})
  })
})
