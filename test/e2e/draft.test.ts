import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {simpleParser, type AddressObject} from 'mailparser'
import {beforeAll, describe, expect, it} from 'vitest'

// runs the BUILT CLI (npm run build first; `npm test` does) on samples/ (see samples/README.md)
const ROOT = resolve(__dirname, '../..')
const REPORT = join(ROOT, 'samples/reports/nicbr-portscan.eml')
const SAMPLE_ARGS = ['--nat-logs', join(ROOT, 'samples/nat'), '--dhcp', join(ROOT, 'samples/dhcp'), '--public-ip', '203.0.113.5', '--log-tz', 'America/Sao_Paulo']

function natrace(args: string[], cwd = ROOT): {code: number | null; stdout: string; stderr: string} {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), ...args], {cwd, encoding: 'utf8', env: {...process.env, NO_COLOR: '1', TZ: 'UTC'}})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  if (!a) return []
  return (Array.isArray(a) ? a : [a]).flatMap((o) => o.value.map((v) => (v.address ?? '').toLowerCase()))
}

interface Who {
  insideIp: string | null
  insidePort: number | null
  mac: string | null
  hostname: string | null
  subscriber: string | null
}

describe('natrace draft on the samples (built CLI)', () => {
  let out: string
  let run: ReturnType<typeof natrace>
  let report: {messageId: string; from: string; replyTo: string[]; subject: string}

  beforeAll(() => {
    const cwd = mkdtempSync(join(tmpdir(), 'natrace-e2e-draft-'))
    // operator details from natrace.config.json in the working directory
    writeFileSync(join(cwd, 'natrace.config.json'), JSON.stringify({organisation: 'Provedor Exemplo', from: 'Provedor Exemplo Abuse <abuse@provedor-exemplo.com.br>', signature: 'NOC Provedor Exemplo'}))
    out = join(cwd, 'drafts')
    run = natrace(['draft', REPORT, ...SAMPLE_ARGS, '--out', out], cwd)
    report = JSON.parse(natrace(['report', REPORT, '--public-ip', '203.0.113.5', '--json']).stdout)
  }, 60_000)

  it('writes the four kinds of draft and prints their paths; exit 3 as some incidents stay unresolved', () => {
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/) // no stack trace
    expect(run.code).toBe(3)
    expect(readdirSync(out).sort()).toEqual(['customer-notice-1.txt', 'evidence.json', 'evidence.md', 'reply.eml'])
    expect(run.stdout.trim().split('\n')).toEqual(['reply.eml', 'customer-notice-1.txt', 'evidence.md', 'evidence.json'].map((f) => join(out, f)))
  })

  it('writes a reply that parses back threaded on the report, with its ticket tag and recipients', async () => {
    const m = await simpleParser(readFileSync(join(out, 'reply.eml')))
    expect(m.subject).toBe(`Re: ${report.subject}`)
    expect(m.subject).toContain('[NicBr-20130619-133 ]')
    expect(m.inReplyTo).toBe(report.messageId)
    expect(m.references).toBe(report.messageId)
    expect(addresses(m.from)).toEqual(['abuse@provedor-exemplo.com.br'])
    expect(addresses(m.to)).toEqual(['abuse@registro.br'])
    const expectedCc = report.replyTo.map((a) => a.toLowerCase()).filter((a) => a !== 'abuse@registro.br')
    expect(addresses(m.cc)).toEqual(expectedCc)
    expect(m.headers.has('auto-submitted')).toBe(false)
  })

  it('answers in Portuguese, explains the not-found and ambiguous incidents and asks for what is missing', async () => {
    const text = (await simpleParser(readFileSync(join(out, 'reply.eml')))).text ?? ''
    expect(text).toContain('Agradecemos a notificação NicBr-20130619-133')
    expect(text).toContain('2013-06-18 18:53:34 UTC = 2013-06-18 15:53:34 -03:00 (America/Sao_Paulo)')
    expect(text).toMatch(/Resultado: identificado\./)
    expect(text).toMatch(/Evento \d: 2013-06-18 11:02:11 UTC[\s\S]*?Resultado: nossos registros não cobrem este horário/)
    expect(text).toMatch(/Resultado: nossos registros mostram mais de um cliente/)
    expect(text).toContain('RFC 6302')
    expect(text).toContain('NOC Provedor Exemplo')
  })

  it('never names a customer or candidate in the reply', async () => {
    const ev = JSON.parse(readFileSync(join(out, 'evidence.json'), 'utf8'))
    const people: Who[] = ev.incidents.flatMap((i: {attribution: Who & {candidates: Who[]}}) => [i.attribution, ...i.attribution.candidates])
    const secrets = [...new Set(people.flatMap((p) => [p.insideIp, p.mac, p.hostname, p.subscriber]).filter((x): x is string => !!x))]
    expect(secrets).toEqual(expect.arrayContaining(['192.168.0.23', '00:1e:c2:aa:bb:cc', 'joao-pc']))
    const raw = readFileSync(join(out, 'reply.eml'), 'utf8')
    const m = await simpleParser(raw)
    const visible = `${raw}\n${m.text}\n${m.subject}`.toLowerCase()
    for (const s of secrets) expect(visible, s).not.toContain(s.toLowerCase())
  })

  it("notifies the customer with the seed's incidents and records the evidence with input hashes", () => {
    const notice = readFileSync(join(out, 'customer-notice-1.txt'), 'utf8')
    expect(notice).toContain('joao-pc')
    expect(notice).toContain('porta 6881')
    expect(notice).toMatch(/BitTorrent/)
    const ev = JSON.parse(readFileSync(join(out, 'evidence.json'), 'utf8'))
    expect(ev.report.sha256).toBe(createHash('sha256').update(readFileSync(REPORT)).digest('hex'))
    expect(ev.inputs.nat.length).toBeGreaterThanOrEqual(3)
    for (const i of [...ev.inputs.nat, ...ev.inputs.leases]) expect(i.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(ev.clients).toEqual([expect.objectContaining({mac: '00:1e:c2:aa:bb:cc', hostname: 'joao-pc'})])
    const md = readFileSync(join(out, 'evidence.md'), 'utf8')
    expect(md).toMatch(/security(?:\.\d\.gz)?:\d+ .*ipfw/)
  })

  it('with --lang en --unattended --json: English, Auto-Submitted, and the file list as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'natrace-e2e-draft-en-'))
    const r = natrace(['draft', REPORT, ...SAMPLE_ARGS, '--out', dir, '--lang', 'en', '--unattended', '--from', 'abuse@isp.example', '--json'])
    expect(r.code).toBe(3)
    const j = JSON.parse(r.stdout)
    expect(j.files.reply).toBe(join(dir, 'reply.eml'))
    const m = await simpleParser(readFileSync(join(dir, 'reply.eml')))
    expect(m.text).toContain('Thank you for your report')
    expect(m.headers.get('auto-submitted')).toBe('auto-replied')
  })

  it('fails in one line on an unknown language', () => {
    const dir = mkdtempSync(join(tmpdir(), 'natrace-e2e-draft-fr-'))
    const r = natrace(['draft', REPORT, ...SAMPLE_ARGS, '--out', dir, '--lang', 'fr', '--from', 'abuse@isp.example'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no "reply" template for language "fr"/)
    expect(r.stderr.trim().split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(2)
  })
})
