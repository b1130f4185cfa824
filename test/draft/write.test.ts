import {createHash} from 'node:crypto'
import {lstat, mkdir, mkdtemp, readFile, readdir, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {simpleParser} from 'mailparser'
import {beforeEach, describe, expect, it} from 'vitest'
import {loadOperatorConfig, writeDrafts} from '../../src/draft/index.js'
import type {AttributionResult} from '../../src/model.js'
import {BOB, DAVE, OPERATOR, registroBr, spamcop} from './fixtures.js'

const NOW = Date.UTC(2024, 2, 5, 10, 0, 0)
let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'natrace-draft-'))
})

const sha = (s: string) => createHash('sha256').update(s).digest('hex')

/** registro.br fixture whose report and inputs are real files in the temp dir. */
async function withFiles(): Promise<{result: AttributionResult; contents: Record<string, string>}> {
  const result = registroBr()
  const contents: Record<string, string> = {
    [join(dir, 'report.eml')]: 'Subject: test\n\nreport body\n',
    [join(dir, 'security')]: 'Jun 18 15:53:35 gw kernel: ipfw: 1 Count TCP 10.77.191.203:47391 200.160.3.103:6881 out via em0\n',
    [join(dir, 'dhcpd.log')]: 'Jun 18 14:02:11 gw dhcpd: DHCPACK on 10.77.191.203 to de:ad:be:ef:71:01 via em1\n',
  }
  for (const [f, c] of Object.entries(contents)) await writeFile(f, c)
  result.report.file = join(dir, 'report.eml')
  result.inputs.nat[0]!.file = join(dir, 'security')
  result.inputs.leases[0]!.file = join(dir, 'dhcpd.log')
  return {result, contents}
}

describe('writeDrafts', () => {
  it('writes reply.eml, one notice per customer, evidence.md and evidence.json with fixed names', async () => {
    const {result} = await withFiles()
    const out = join(dir, 'out', 'nested')
    const files = await writeDrafts(result, {outDir: out, config: OPERATOR, now: NOW})
    expect(files.reply).toBe(join(out, 'reply.eml'))
    expect(files.customerNotices).toEqual([join(out, 'customer-notice-1.txt')])
    expect((await readdir(out)).sort()).toEqual(['customer-notice-1.txt', 'evidence.json', 'evidence.md', 'reply.eml'])
    const m = await simpleParser(await readFile(files.reply))
    expect(m.inReplyTo).toBe('<20130619123456.ABC123@registro.br>')
  })

  it('records SHA-256 of the report and every input, computed from the files', async () => {
    const {result, contents} = await withFiles()
    const files = await writeDrafts(result, {outDir: join(dir, 'out'), config: OPERATOR, now: NOW})
    const ev = JSON.parse(await readFile(files.evidenceJson, 'utf8'))
    expect(ev.report.sha256).toBe(sha(contents[join(dir, 'report.eml')]!))
    expect(ev.inputs.nat[0].sha256).toBe(sha(contents[join(dir, 'security')]!))
    expect(ev.inputs.leases[0].sha256).toBe(sha(contents[join(dir, 'dhcpd.log')]!))
    expect(ev.generatedAt).toBe('2024-03-05T10:00:00.000Z')
    const md = await readFile(files.evidenceMd, 'utf8')
    expect(md).toContain(sha(contents[join(dir, 'security')]!))
  })

  it('keeps the evidence chain (file:line + raw line), every assumption and the decision per incident', async () => {
    const {result} = await withFiles()
    const decisions = [
      {incident: 2, action: 'accept' as const, insideIp: BOB.insideIp, note: 'customer confirmed the device was on'},
      {incident: 0, action: 'reject' as const, note: 'line shared with a neighbour'},
    ]
    const files = await writeDrafts(result, {outDir: join(dir, 'out'), config: OPERATOR, decisions, now: NOW})
    const ev = JSON.parse(await readFile(files.evidenceJson, 'utf8'))
    expect(ev.assumptions.map((a: {kind: string}) => a.kind)).toEqual(['report-zone', 'log-zone'])
    expect(ev.incidents[2].attribution.status).toBe('ambiguous')
    expect(ev.incidents[2].decision).toMatchObject({by: 'operator', action: 'accept', status: 'attributed', mac: BOB.mac, note: 'customer confirmed the device was on'})
    expect(ev.incidents[2].decision.reason).toContain('customer confirmed the device was on')
    expect(ev.incidents[0].decision).toMatchObject({by: 'operator', action: 'reject', status: 'not-found', insideIp: null, outcome: 'unresolved'})
    expect(ev.incidents[1].decision).toMatchObject({by: 'natrace', action: null, status: 'attributed'})
    expect(ev.incidents[1].decision.evidence[0]).toMatchObject({file: 'logs/security', line: expect.any(Number), text: expect.stringContaining('ipfw: 1 Count TCP')})
    const md = await readFile(files.evidenceMd, 'utf8')
    expect(md).toContain('operator decision: **accept** — customer confirmed the device was on')
    expect(md).toMatch(/logs\/security:\d+ \[outbound packet\]  Jun 18 15:5\d:\d\d gw kernel: ipfw/)
    expect(md).toContain('report times carry no zone')
  })

  it('writes the notice as .eml too when the customer e-mail is known', async () => {
    const files = await writeDrafts(spamcop(), {outDir: dir, config: OPERATOR, now: NOW})
    expect(files.customerNotices).toEqual([join(dir, 'customer-notice-1.txt'), join(dir, 'customer-notice-1.eml')])
    const m = await simpleParser(await readFile(join(dir, 'customer-notice-1.eml')))
    expect(m.to && !Array.isArray(m.to) ? m.to.value[0]!.address : null).toBe(DAVE.email)
    expect(m.text).toContain(DAVE.hostname)
  })

  it('removes notices of an earlier run that names a customer no longer named', async () => {
    await writeFile(join(dir, 'customer-notice-2.txt'), 'stale notice for someone else')
    await writeFile(join(dir, 'customer-notice-7.eml'), 'stale')
    await writeFile(join(dir, 'notes.txt'), 'the operator\'s own file')
    await writeDrafts(registroBr(), {outDir: dir, config: OPERATOR, now: NOW})
    expect((await readdir(dir)).sort()).toEqual(['customer-notice-1.txt', 'evidence.json', 'evidence.md', 'notes.txt', 'reply.eml'])
  })

  it('replaces a symlink planted at a draft name instead of writing through it', async () => {
    const victim = join(dir, 'victim.txt')
    await writeFile(victim, 'precious')
    const out = join(dir, 'out')
    await mkdir(out)
    await symlink(victim, join(out, 'reply.eml'))
    await writeDrafts(registroBr(), {outDir: out, config: OPERATOR, now: NOW})
    expect(await readFile(victim, 'utf8')).toBe('precious')
    expect((await lstat(join(out, 'reply.eml'))).isSymbolicLink()).toBe(false)
  })

  it('refuses an output path that is a file, in one line', async () => {
    await writeFile(join(dir, 'file'), 'x')
    await expect(writeDrafts(registroBr(), {outDir: join(dir, 'file'), config: OPERATOR})).rejects.toThrow(/--out .*cannot use it as the output directory/)
  })

  it('records a file it cannot hash instead of failing', async () => {
    const files = await writeDrafts(registroBr(), {outDir: dir, config: OPERATOR, now: NOW})
    const ev = JSON.parse(await readFile(files.evidenceJson, 'utf8'))
    expect(ev.inputs.nat[0]).toMatchObject({sha256: null, hashError: 'ENOENT'})
  })

  it('switches an attributed incident to another candidate the operator names, and keeps a plain accept as a confirmation', async () => {
    const {applyDecisions} = await import('../../src/draft/decide.js')
    const r = registroBr()
    const {candidate} = await import('./fixtures.js')
    r.incidents[0]!.attribution.candidates = [candidate(BOB, 52218, '200.160.3.103', 'Jun 18 15:53:35')]
    const [switched] = applyDecisions(r, [{incident: 0, action: 'accept', insideIp: BOB.insideIp, mac: BOB.mac, note: 'BOB admitted it'}])
    expect(switched!.final).toMatchObject({status: 'attributed', insideIp: BOB.insideIp, mac: BOB.mac})
    expect(switched!.final.reason).toContain('BOB admitted it')
    const [confirmed] = applyDecisions(r, [{incident: 0, action: 'accept', insideIp: r.incidents[0]!.attribution.insideIp!, note: 'checked'}])
    expect(confirmed!.final.insideIp).toBe(r.incidents[0]!.attribution.insideIp)
    expect(confirmed!.final.reason).toContain('confirmed by the operator: checked')
    expect(() => applyDecisions(r, [{incident: 0, action: 'accept', insideIp: '10.9.9.9'}])).toThrow(/not one of its 1 candidate/)
  })

  it('keeps an ambiguous or not-found incident as it was when the operator "rejects" it, with the note', async () => {
    const {applyDecisions} = await import('../../src/draft/decide.js')
    const d = applyDecisions(registroBr(), [{incident: 2, action: 'reject', note: 'asked the reporter'}, {incident: 4, action: 'reject'}])
    expect(d[2]!).toMatchObject({decidedBy: 'operator', outcome: 'ambiguous', final: {status: 'ambiguous'}})
    expect(d[2]!.final.candidates).toHaveLength(2)
    expect(d[2]!.final.reason).toMatch(/; operator: asked the reporter$/)
    expect(d[4]!).toMatchObject({outcome: 'not-covered', final: {status: 'not-found'}})
  })

  it('rejects a decision naming no incident or no candidate', async () => {
    await expect(writeDrafts(registroBr(), {outDir: dir, decisions: [{incident: 9, action: 'reject'}]})).rejects.toThrow(/incidents 0\.\.4/)
    await expect(writeDrafts(registroBr(), {outDir: dir, decisions: [{incident: 2, action: 'accept', insideIp: '10.0.0.1'}]})).rejects.toThrow(/not one of its 2 candidate/)
    await expect(writeDrafts(registroBr(), {outDir: dir, decisions: [{incident: 2, action: 'accept'}]})).rejects.toThrow(/matches 2 candidates/)
  })
})

describe('operator config', () => {
  it('reads a config file and checks its fields', async () => {
    const f = join(dir, 'natrace.config.json')
    await writeFile(f, JSON.stringify({organisation: 'X Net', from: 'abuse@x.example', measures: {en: 'Blocked.'}}))
    expect(await loadOperatorConfig(f)).toEqual({organisation: 'X Net', from: 'abuse@x.example', measures: {en: 'Blocked.'}})
    await writeFile(f, JSON.stringify({organisation: 42}))
    await expect(loadOperatorConfig(f)).rejects.toThrow(/"organisation" must be a string/)
    await writeFile(f, '{broken')
    await expect(loadOperatorConfig(f)).rejects.toThrow(/not valid JSON/)
    await expect(loadOperatorConfig(join(dir, 'missing.json'))).rejects.toThrow(/config file not found/)
  })

  it('uses a custom template directory, falling back to the shipped template for files it lacks', async () => {
    const tpl = join(dir, 'tpl')
    await mkdir(join(tpl, 'en'), {recursive: true})
    await writeFile(join(tpl, 'en', 'reply.eta'), 'Custom reply for <%= it.reporter.ticket %>: <%= it.count.notified %> notified.\n')
    const {renderDrafts} = await import('../../src/draft/index.js')
    const r = renderDrafts(registroBr(), {lang: 'en', customerLang: 'en', templatesDir: tpl, config: OPERATOR, now: NOW})
    expect(r.replyText).toBe('Custom reply for NicBr-20130619-133: 2 notified.\n')
    expect(r.notices[0]!.text).toContain('What to do')
    expect(() => renderDrafts(registroBr(), {lang: 'fr', config: OPERATOR})).toThrow(/no "reply" template for language "fr"/)
  })
})

describe('shipped example config', () => {
  it('is a valid operator config that renders every language', async () => {
    const {renderDrafts, checkDraftOptions} = await import('../../src/draft/index.js')
    const cfg = await loadOperatorConfig(join(__dirname, '../../natrace.config.example.json'))
    expect(cfg.organisation).toBe('Provedor Exemplo Ltda')
    for (const lang of ['pt-BR', 'en', 'es']) {
      const r = renderDrafts(registroBr(), {lang, config: cfg, now: NOW})
      expect(r.replyText).toContain(typeof cfg.measures === 'object' ? cfg.measures[lang] : '')
      expect(r.warnings).toEqual([])
    }
    expect(() => checkDraftOptions({config: cfg, lang: 'en'})).not.toThrow()
    expect(() => checkDraftOptions({lang: 'de'})).toThrow(/no "reply" template for language "de"/)
    expect(() => checkDraftOptions({templatesDir: join(dir, 'nope')})).toThrow(/not a directory/)
    expect(() => checkDraftOptions({config: {timeZone: 'Mars/Olympus'}})).toThrow(/timeZone/)
  })
})
