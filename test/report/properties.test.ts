import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {NatraceError} from '../../src/io/errors.js'
import {findStamp} from '../../src/report/time.js'
import {iso, mail, reportOf} from './helpers.js'

describe('report reader properties', () => {
  it('random text or e-mail never throws anything but NatraceError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({maxLength: 400}),
          fc.array(fc.oneof(fc.constantFrom('Subject: ', 'From: a@b.c\n', '\n\n', '2013-06-18 15:53:34', ' 198.51.100.7', ':80', ' -> ', '/', 'x.x.x.x', 'Content-Type: multipart/mixed; boundary=z\n', '--z\n', '<Infringement>', 'Source: ', 'Port: ', '"timestamp","ip"\n', 'UTC', 'IST', '[NicBr-1 ]', '\u001b[31m', '\r\n'), fc.string({maxLength: 20})), {maxLength: 40}).map((a) => a.join('')),
        ),
        async (text) => {
          try {
            const r = await reportOf(Buffer.from(text, 'utf8'))
            // whatever is read carries an IP and finite times
            for (const i of r.incidents) {
              expect(i.publicIp).not.toBeNull()
              expect(Number.isFinite(i.time)).toBe(true)
            }
          } catch (err) {
            expect(err).toBeInstanceOf(NatraceError)
          }
        },
      ),
      {numRuns: 150},
    )
  })

  it('a generated table line round-trips: ip, ports, roles and the UTC instant', async () => {
    const octet = fc.integer({min: 1, max: 254})
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(octet, octet, octet, octet),
        fc.integer({min: 1024, max: 65535}),
        fc.integer({min: 1, max: 1023}),
        fc.integer({min: Date.UTC(2005, 0, 1) / 1000, max: Date.UTC(2035, 0, 1) / 1000}),
        fc.constantFrom('tcp', 'udp'),
        async (ip, sport, dport, sec, proto) => {
          const ipText = ip.join('.')
          const stamp = new Date(sec * 1000).toISOString().replace('T', ' ').replace('.000Z', '')
          const text = mail({Subject: 'Report'}, `timestamp src_ip src_port dst_ip dst_port proto\n${stamp} UTC ${ipText} ${sport} 192.0.2.1 ${dport} ${proto}\n`)
          const r = await reportOf(text)
          expect(r.incidents).toHaveLength(1)
          const i = r.incidents[0]!
          expect(i).toMatchObject({publicIp: ipText, publicPort: sport, portRole: 'source', destIp: '192.0.2.1', destPort: dport, protocol: proto})
          expect(iso(i.time)).toBe(new Date(sec * 1000).toISOString().replace('.000Z', 'Z'))
        },
      ),
      {numRuns: 60},
    )
  })

  it('a stated offset always wins over the fallback zone', () => {
    fc.assert(
      fc.property(fc.integer({min: -12, max: 14}), fc.constantFrom('UTC', 'America/Sao_Paulo', 'Asia/Tokyo'), (h, fallback) => {
        const off = `${h < 0 ? '-' : '+'}${String(Math.abs(h)).padStart(2, '0')}00`
        const m = findStamp(`18/Jun/2013:15:53:34 ${off}`, {zone: fallback, how: 'flag'}, null)
        expect(m?.stated?.how).toBe('stated')
        expect(m!.ms).toBe(Date.UTC(2013, 5, 18, 15, 53, 34) - h * 3600_000)
      }),
    )
  })
})
