import {describe, expect, it} from 'vitest'
import {findStamp, readZoneToken} from '../../src/report/time.js'
import type {ZoneDecision} from '../../src/model.js'
import {iso, mail, reportOf} from './helpers.js'

const nicbr = (lines: string[], date = 'Wed, 11 Dec 2013 10:00:00 -0200') =>
  mail({From: '"CERT.br" <mail-abuse@cert.br>', Subject: '[NicBr-20131211-9 ] TCP PORT SCAN', Date: date}, `Prezados,\n\n${lines.join('\n')}\n`)

describe('report times', () => {
  it('applies Brasília summer time (historic DST) to registro-br times in December 2013', async () => {
    const r = await reportOf(nicbr(['"2013-12-10 15:00:00" 200.1.2.3/40000->198.51.100.1/22 6(0)']))
    expect(iso(r.incidents[0]!.time)).toBe('2013-12-10T17:00:00Z')
  })

  it('flags a time in the repeated hour at the end of Brazilian DST and takes the earlier instant', async () => {
    const r = await reportOf(nicbr(['"2014-02-15 23:30:00" 200.1.2.3/40000->198.51.100.1/22 6(0)'], 'Sun, 16 Feb 2014 10:00:00 -0300'))
    expect(iso(r.incidents[0]!.time)).toBe('2014-02-16T01:30:00Z')
    expect(r.assumptions.some((a) => /repeated DST hour/.test(a.text))).toBe(true)
  })

  it('gives a year-less syslog stamp the year nearest the report date (a January report about December)', async () => {
    const r = await reportOf(mail({Subject: 'x', Date: 'Thu, 02 Jan 2014 08:00:00 +0000'}, 'Dec 31 23:59:58 UTC attack from 198.51.100.7\n'))
    expect(iso(r.incidents[0]!.time)).toBe('2013-12-31T23:59:58Z')
    expect(r.assumptions.some((a) => /no year/.test(a.text))).toBe(true)
  })

  it('reads GMT-3, UTC+02:00, -0000 and ISO Z', () => {
    const fb = {zone: 'Asia/Tokyo', how: 'flag' as const}
    expect(iso(findStamp('2013-06-18 15:53:34 GMT-3', fb, null)!.ms)).toBe('2013-06-18T18:53:34Z')
    expect(iso(findStamp('2013-06-18 15:53:34 UTC+02:00', fb, null)!.ms)).toBe('2013-06-18T13:53:34Z')
    expect(iso(findStamp('Tue, 18 Jun 2013 15:53:34 -0000', fb, null)!.ms)).toBe('2013-06-18T15:53:34Z')
    expect(iso(findStamp('2013-06-18T15:53:34.250Z', fb, null)!.ms)).toBe('2013-06-18T15:53:34.250Z')
  })

  it('reads zone-less stamps in the fallback zone and says it did not see a zone', () => {
    const m = findStamp('2013-06-18 15:53:34 from 198.51.100.7', {zone: 'America/Sao_Paulo', how: 'sender'}, null)!
    expect(m.stated).toBeNull()
    expect(iso(m.ms)).toBe('2013-06-18T18:53:34Z')
  })

  it('uses a written abbreviation as written but flags it when it does not fit the season (PST in April)', () => {
    const m = findStamp('Thu, 29 Apr 2021 23:45:50 PST', {zone: 'UTC', how: 'flag'}, null)!
    expect(iso(m.ms)).toBe('2021-04-30T07:45:50Z')
    expect(m.notes.join()).toMatch(/America\/Los_Angeles was on UTC-7/)
    expect(findStamp('Thu, 29 Apr 2021 23:45:50 PDT', {zone: 'UTC', how: 'flag'}, null)!.notes).toEqual([])
  })

  it('knows which abbreviations are ambiguous', () => {
    expect(readZoneToken('EDT')).toEqual({offset: -240})
    expect(readZoneToken('IST')?.ambiguous).toMatch(/India/)
    expect(readZoneToken('CST')?.ambiguous).toBeDefined()
    expect(readZoneToken('FOO')).toBeUndefined()
  })

  it('reads dd/mm/yyyy day-first and flags the guess; mm/dd when the day cannot be a month', () => {
    const fb = {zone: 'UTC', how: 'flag' as const}
    const a = findStamp('05/06/2013 10:00:00', fb, null)!
    expect(iso(a.ms)).toBe('2013-06-05T10:00:00Z')
    expect(a.notes.join()).toMatch(/day-first/)
    expect(iso(findStamp('06/18/2013 10:00:00', fb, null)!.ms)).toBe('2013-06-18T10:00:00Z')
  })

  it('does not take an IP address or a port for an epoch', () => {
    expect(findStamp('198.51.100.7:1371570814', {zone: 'UTC', how: 'flag'}, null)).toBeUndefined()
  })
})

describe('untrusted report text', () => {
  it('keeps no CR/LF in subject, ticket or addresses (no header injection)', async () => {
    const raw = mail({Subject: '=?utf-8?Q?[Ticket#1]=0D=0ABcc:_victim@example.org?= scan', 'Reply-To': 'a@example.org'}, '2013-06-18 15:53:34 UTC 198.51.100.7:4000 -> 192.0.2.1:22\n')
    const r = await reportOf(raw)
    for (const v of [r.subject, r.ticket, r.from, r.messageId, ...r.replyTo]) expect(v ?? '').not.toMatch(/[\r\n]/)
  })

  it('refuses a --public-ip that does not fit a partly masked address', async () => {
    const r = mail({From: 'mail-abuse@cert.br', Subject: '[NicBr-1 ] scan'}, '"2013-06-18 15:53:34" 200.160.x.x/52218->198.51.100.1/6881 6(0)\n')
    await expect(reportOf(r, {publicIp: '10.1.2.3'})).rejects.toThrow(/does not match/)
    const ok = await reportOf(r, {publicIp: '200.160.9.9'})
    expect(ok.incidents[0]!.publicIp).toBe('200.160.9.9')
  })
})

describe('year-less stamps in a file without a Date header', () => {
  it("take the year nearest the file's modification time, and say so", async () => {
    const {mkdtempSync, writeFileSync, utimesSync} = await import('node:fs')
    const {tmpdir} = await import('node:os')
    const {join} = await import('node:path')
    const {readReport} = await import('../../src/report/index.js')
    const f = join(mkdtempSync(join(tmpdir(), 'natrace-report-')), 'fw.txt')
    writeFileSync(f, 'Jun 18 15:53:34 UTC blocked 198.51.100.9\n')
    utimesSync(f, new Date('2013-06-20T00:00:00Z'), new Date('2013-06-20T00:00:00Z'))
    const r = await readReport(f)
    expect(iso(r.incidents[0]!.time)).toBe('2013-06-18T15:53:34Z')
    expect(r.assumptions.some((a) => /modification time/.test(a.text))).toBe(true)
  })
})

describe('report stamps the adversarial review found misread', () => {
  const utc: ZoneDecision = {zone: 'UTC', how: 'system'}
  const at = (text: string, fallback: ZoneDecision = utc) => {
    const m = findStamp(text, fallback, Date.UTC(2013, 5, 19))
    return m ? {iso: new Date(m.ms).toISOString().replace('.000Z', 'Z'), zone: m.stated?.zone ?? null, alt: m.alt} : undefined
  }
  it('reads AM/PM', () => {
    expect(at('06/18/2013 3:53:34 PM UTC')!.iso).toBe('2013-06-18T15:53:34Z')
    expect(at('Jun 18, 2013 3:53:34 PM')!.iso).toBe('2013-06-18T15:53:34Z')
    expect(at('18 Jun 2013 3:53:34 PM +0000')!.iso).toBe('2013-06-18T15:53:34Z')
    expect(at('2013-06-18 12:10:00 AM UTC')!.iso).toBe('2013-06-18T00:10:00Z')
  })
  it('reads the zone and the year of a ctime stamp', () => {
    expect(at('Tue Jun 18 15:53:34 UTC 2013', {zone: 'America/Sao_Paulo', how: 'sender'})).toMatchObject({iso: '2013-06-18T15:53:34Z', zone: 'UTC'})
    expect(at('Sat Jun 18 15:53:34 UTC 2011')!.iso).toBe('2011-06-18T15:53:34Z')
  })
  it('reads Windows-style "(UTC-03:00)", a bare "-03" and an IANA zone name', () => {
    expect(at('2013-06-18 15:53:34 (UTC-03:00) Brasilia')).toMatchObject({iso: '2013-06-18T18:53:34Z'})
    expect(at('2013-06-18 15:53:34 (GMT-03:00)')).toMatchObject({iso: '2013-06-18T18:53:34Z'})
    expect(at('2013-06-18 15:53:34-03')).toMatchObject({iso: '2013-06-18T18:53:34Z'})
    expect(at('2013-06-18 15:53:34 America/Sao_Paulo')).toMatchObject({iso: '2013-06-18T18:53:34Z', zone: 'America/Sao_Paulo'})
  })
  it('keeps both instants of a zone-less stamp in a repeated DST hour', () => {
    const m = at('2024-10-27 02:30:00', {zone: 'Europe/Berlin', how: 'flag'})!
    expect(m.iso).toBe('2024-10-27T00:30:00Z')
    expect(m.alt).toBe(Date.UTC(2024, 9, 27, 1, 30))
  })
})
