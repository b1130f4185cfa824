import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {simpleParser} from 'mailparser'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runScan, type ScanResult} from '../../src/scan/run.js'
import {scanDraftLanguage, writeScanDrafts} from '../../src/scan/draft.js'

const campus = (p: string) => resolve(import.meta.dirname, '../fixtures/scan/campus', p)
/** quoted-printable body → text */
const qp = (eml: string) => Buffer.from(eml.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
const dir = mkdtempSync(join(tmpdir(), 'natrace-scan-draft-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
const config = join(dir, 'config.json')
const now = new Date(Date.UTC(2024, 2, 5, 12))
let result: ScanResult
beforeAll(async () => {
  writeFileSync(config, JSON.stringify({organisation: 'Exemplo Telecom', from: 'Exemplo Abuse <abuse@exemplo.example>', timeZone: 'America/Sao_Paulo'}))
  result = await runScan({natLogs: [campus('conntrack.log')], dhcp: [campus('dhcpd.leases')], logTz: 'UTC'})
})
const parse = async (file: string) => simpleParser(readFileSync(file))

describe('scan --draft', () => {
  it('drafts one alert for the abuse desk and one notice per named scanning device, none for p2p or benign clients', async () => {
    const out = join(dir, 'drafts')
    const files = await writeScanDrafts(result, {outDir: out, config, lang: 'pt-BR', now})
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
    expect([undefined, 'pt_br', 'PT', 'es-AR', 'en-GB'].map((l) => scanDraftLanguage(l))).toEqual(['en', 'pt-BR', 'pt-BR', 'es', 'en'])
    expect(() => scanDraftLanguage('de')).toThrow(/en, pt-BR or es, not "de"/)
    await expect(writeScanDrafts(result, {outDir: join(dir, 'x'), config, lang: 'de'})).rejects.toThrow(/en, pt-BR or es/)
  })

  it.each([
    ['en', 'Security notice: a device on your connection is scanning the Internet', 'Dear customer,', 'natrace scan: 4 scan(s), 3 customer device(s) named', 'natrace scan found 4 scan(s)'],
    ['pt-BR', 'Aviso de segurança: um dispositivo da sua conexão está fazendo varreduras na Internet', 'Prezado(a) cliente,', 'natrace scan: 4 varredura(s), 3 dispositivo(s) de clientes identificado(s)', 'O natrace scan encontrou 4 varredura(s)'],
    ['es', 'Aviso de seguridad: un dispositivo de su conexión está escaneando Internet', 'Estimado/a cliente:', 'natrace scan: 4 escaneo(s), 3 dispositivo(s) de clientes identificado(s)', 'natrace scan encontró 4 escaneo(s)'],
  ])('renders the %s alert and notices from the shipped templates, each notice with its own device only', async (lang, noticeSubject, hello, alertSubject, alertOpening) => {
    const out = join(dir, `lang-${lang}`)
    const files = await writeScanDrafts(result, {outDir: out, config, lang, now})
    const notice = await parse(join(out, 'notice-b0-c5-54-77-03-cc.eml'))
    expect(notice.subject).toBe(noticeSubject)
    expect(notice.text).toMatch(new RegExp(`^${hello.replace(/[()/]/g, '\\$&')}\\n`))
    expect(notice.text).toContain('b0:c5:54:77:03:cc ("cam-garagem")')
    expect(notice.text).toContain('10.20.0.77')
    expect(notice.text).toContain('TCP 23, 2323') // the two ports probed, not a range 23-2323
    expect(notice.text).toContain('2024-03-05 07:02:00 -03:00 (America/Sao_Paulo)')
    expect(notice.text).toMatch(/\nExemplo Telecom\n?$/) // operator signature (organisation when none configured)
    expect(notice.text).not.toMatch(/<%|%>|undefined|null/)
    // another customer's device and the digest never reach this customer
    for (const other of ['3c:52:82:66:02:bb', 'nmap-box', '10.20.0.66', 'slow-pc', 'conntrack.log']) expect(notice.text).not.toContain(other)
    const alert = await parse(files.alert)
    expect(alert.subject).toBe(alertSubject)
    expect(alert.text?.startsWith(alertOpening)).toBe(true)
    expect(alert.text).toContain('notice-b0-c5-54-77-03-cc.eml: b0:c5:54:77:03:cc "cam-garagem"')
    expect(alert.text).toContain('Source 10.20.0.66 = 3c:52:82:66:02:bb "nmap-box"') // the digest
    expect(alert.text).not.toMatch(/<%|%>|undefined/)
  })

  it("takes the operator's templates first: DIR/<lang>/<name>.eta, then DIR/<name>.eta, then the shipped file", async () => {
    const tpl = join(dir, 'my-templates')
    mkdirSync(join(tpl, 'pt-BR'), {recursive: true})
    writeFileSync(join(tpl, 'pt-BR', 'scan-notice.eta'), 'Olá <%= it.device.hostname %> (<%= it.device.mac %>): <%= it.device.hosts %> endereços, <%= it.device.ports %>.\n-- <%= it.operator.organisation %>\n')
    writeFileSync(join(tpl, 'scan-notice-subject.eta'), '[<%= it.operator.organisation %>] <%= it.device.mac %>\n')
    const out = join(dir, 'custom')
    const files = await writeScanDrafts(result, {outDir: out, config, lang: 'pt-BR', templatesDir: tpl, now})
    const notice = await parse(join(out, 'notice-b0-c5-54-77-03-cc.eml'))
    expect(notice.text).toBe('Olá cam-garagem (b0:c5:54:77:03:cc): 60 endereços, TCP 23, 2323 (TELNET connection attempt, Mirai-style (23/2323)).\n-- Exemplo Telecom\n')
    expect(notice.subject).toBe('[Exemplo Telecom] b0:c5:54:77:03:cc')
    // files the directory does not hold come from the shipped templates
    expect((await parse(files.alert)).subject).toBe('natrace scan: 4 varredura(s), 3 dispositivo(s) de clientes identificado(s)')
  })

  it('writes a language natrace does not ship only when the template directory has all four scan templates', async () => {
    const tpl = join(dir, 'fr-templates')
    mkdirSync(join(tpl, 'fr'), {recursive: true})
    writeFileSync(join(tpl, 'fr', 'scan-notice.eta'), 'Bonjour, <%= it.device.mac %>\n')
    writeFileSync(join(tpl, 'fr', 'scan-notice-subject.eta'), 'Avis de sécurité\n')
    await expect(writeScanDrafts(result, {outDir: join(dir, 'fr-missing'), config, lang: 'fr', templatesDir: tpl, now})).rejects.toThrow(/en, pt-BR or es.*lacks fr\/scan-\*\.eta/)
    expect(() => readdirSync(join(dir, 'fr-missing'))).toThrow() // nothing written
    writeFileSync(join(tpl, 'fr', 'scan-alert.eta'), '<%= it.scans %> balayages\n')
    writeFileSync(join(tpl, 'fr', 'scan-alert-subject.eta'), 'natrace scan : <%= it.named %> appareils\n')
    const files = await writeScanDrafts(result, {outDir: join(dir, 'fr'), config, lang: 'fr', templatesDir: tpl, now})
    expect((await parse(files.alert)).subject).toBe('natrace scan : 3 appareils')
    expect((await parse(files.notices[0]!)).subject).toBe('Avis de sécurité')
  })

  it('a hostile DHCP hostname or log line (CR/LF, ANSI/OSC escapes) injects no header and no escape, even through a template that prints it in the subject', async () => {
    const evil = 'cam\r\nBcc: victim@elsewhere.example\r\nX-Evil: 1\u001b[31mred\u001b]0;owned\u0007\u0085'
    const hostile: ScanResult = structuredClone(result)
    for (const d of hostile.detections) {
      d.source.hostname = evil
      d.source.subscriber = `sub\nTo: other@elsewhere.example\u001b[2J`
      d.reason = `why\r\nBcc: victim@elsewhere.example \u001b[1m`
      d.signatures = d.signatures.map((s) => `${s}\u001b[5m\r\nX-Sig: 1`)
      for (const e of d.evidence) e.text = `${e.text}\u001b]8;;http://evil.example\u0007link\r\nBcc: victim@elsewhere.example`
    }
    const tpl = join(dir, 'subject-templates')
    mkdirSync(tpl, {recursive: true})
    writeFileSync(join(tpl, 'scan-notice-subject.eta'), 'Device <%= it.device.hostname %> <%= it.device.subscriber %> <%= it.device.ports %>\n')
    writeFileSync(join(tpl, 'scan-alert-subject.eta'), 'Alert <%= it.devices.map((d) => d.hostname).join(" ") %>\n')
    const out = join(dir, 'hostile')
    const files = await writeScanDrafts(hostile, {outDir: out, config, lang: 'en', templatesDir: tpl, now})
    for (const file of [files.alert, ...files.notices]) {
      const raw = readFileSync(file, 'utf8')
      const head = raw.slice(0, raw.indexOf('\r\n\r\n'))
      expect(head).not.toMatch(/^(?:Bcc|X-Evil|X-Sig):/im)
      expect(head.split('\r\n').filter((l) => /^To:/i.test(l)).length).toBeLessThanOrEqual(1)
      expect(raw).not.toMatch(/[\u001b\u0007]/)
      const m = await parse(file)
      expect(m.headers.has('bcc')).toBe(false)
      expect(m.headers.has('x-evil')).toBe(false)
      expect(m.subject).not.toMatch(/[\r\n\u001b\u0007\u0085]/)
      expect(m.text).not.toMatch(/[\r\u001b\u0007\u0085]/)
    }
    const notice = await parse(files.notices[0]!)
    expect(notice.to).toBeUndefined()
    expect(notice.subject).toMatch(/^Device cam Bcc: victim@elsewhere\.example X-Evil: 1red sub To: other@elsewhere\.example TCP/)
    expect(notice.text).toContain('("cam Bcc: victim@elsewhere.example X-Evil: 1red")')
    const alert = await parse(files.alert)
    expect((alert.to as {value: {address: string}[]}).value.map((v) => v.address)).toEqual(['abuse@exemplo.example'])
    expect(alert.subject?.startsWith('Alert cam Bcc: victim@elsewhere.example')).toBe(true)
  })
})
