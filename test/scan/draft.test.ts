import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {runScan} from '../../src/scan/run.js'
import {writeScanDrafts} from '../../src/scan/draft.js'

const campus = (p: string) => resolve(import.meta.dirname, '../fixtures/scan/campus', p)
/** quoted-printable body → text */
const qp = (eml: string) => Buffer.from(eml.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
const dir = mkdtempSync(join(tmpdir(), 'natrace-scan-draft-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('scan --draft', () => {
  it('drafts one alert for the abuse desk and one notice per named scanning device, none for p2p or benign clients', async () => {
    const result = await runScan({natLogs: [campus('conntrack.log')], dhcp: [campus('dhcpd.leases')], logTz: 'UTC'})
    const config = join(dir, 'config.json')
    writeFileSync(config, JSON.stringify({organisation: 'Exemplo Telecom', from: 'Exemplo Abuse <abuse@exemplo.example>', timeZone: 'America/Sao_Paulo'}))
    const out = join(dir, 'drafts')
    const files = await writeScanDrafts(result, {outDir: out, config, lang: 'pt-BR', now: new Date(Date.UTC(2024, 2, 5, 12))})
    expect(readdirSync(out).sort()).toEqual(['notice-3c-52-82-55-01-aa.eml', 'notice-3c-52-82-66-02-bb.eml', 'notice-b0-c5-54-77-03-cc.eml', 'scan-alert.eml', 'scan-evidence.json'])
    const alert = readFileSync(files.alert, 'utf8')
    expect(alert).toMatch(/^To: Exemplo Abuse <abuse@exemplo\.example>/m)
    expect(alert).toMatch(/^Auto-Submitted: auto-replied/m)
    expect(qp(alert)).toContain('3c:52:82:66:02:bb')
    const notice = readFileSync(join(out, 'notice-b0-c5-54-77-03-cc.eml'), 'utf8')
    expect(notice).not.toMatch(/^To:/m) // lease sources hold no customer e-mail
    expect(notice).toMatch(/^Subject: =\?UTF-8\?/m) // non-ASCII subject encoded by MailComposer
    expect(qp(notice)).toContain('b0:c5:54:77:03:cc')
    expect(qp(notice)).toContain('(America/Sao_Paulo)')
    expect(qp(notice)).toContain('Prezado(a) cliente')
    expect(files.warnings.join('\n')).toMatch(/address the notices/)
    expect(JSON.parse(readFileSync(files.evidence, 'utf8')).detections.length).toBe(result.detections.length)
  })

  it('refuses a notice language it has no text for', async () => {
    const result = await runScan({natLogs: [campus('conntrack.log')], dhcp: [], logTz: 'UTC'})
    await expect(writeScanDrafts(result, {outDir: join(dir, 'x'), config: join(dir, 'config.json'), lang: 'de'})).rejects.toThrow(/en, pt-BR or es/)
  })
})
