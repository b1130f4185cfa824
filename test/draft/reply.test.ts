import {simpleParser, type AddressObject} from 'mailparser'
import {describe, expect, it} from 'vitest'
import {composeReply, renderDrafts} from '../../src/draft/index.js'
import {replyLanguage} from '../../src/draft/language.js'
import type {AttributionResult} from '../../src/model.js'
import {OPERATOR, csirtEs, registroBr, spamcop} from './fixtures.js'

const NOW = Date.UTC(2024, 2, 5, 10, 0, 0)

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  if (!a) return []
  return (Array.isArray(a) ? a : [a]).flatMap((o) => o.value.map((v) => v.address ?? ''))
}

async function parsedReply(result: AttributionResult, opts: Parameters<typeof composeReply>[1] = {}) {
  return simpleParser(await composeReply(result, {config: OPERATOR, now: NOW, ...opts}))
}

describe('reply to the reporter', () => {
  it('threads on the report: Re: subject with the ticket tag, In-Reply-To and References = its Message-ID', async () => {
    const m = await parsedReply(registroBr())
    expect(m.subject).toBe('Re: [NicBr-20130619-133 ] TCP PORT SCAN x.x.x.x -> xxx.xxx.3.103/32 (PORT:6881)')
    expect(m.inReplyTo).toBe('<20130619123456.ABC123@registro.br>')
    expect(m.references).toBe('<20130619123456.ABC123@registro.br>')
    expect(addresses(m.from)).toEqual(['abuse@provedor.example.net'])
  })

  it('is addressed to the reporter with every address the report asks to copy, without duplicates', async () => {
    const m = await parsedReply(registroBr())
    expect(addresses(m.to)).toEqual(['cert@cert.br'])
    expect(addresses(m.cc)).toEqual(['abuse@registro.br', 'mail-abuse@nic.br'])
  })

  it('keeps a SpamCop id tag and adds the ticket when the subject lacks it', async () => {
    const m = await parsedReply(spamcop())
    expect(m.subject).toBe('Re: [SpamCop (http://www.example.com/) id:7234567890]Get cheap pills now')
    const r = spamcop()
    r.report.subject = 'Abuse from your network'
    r.report.ticket = 'CASE-77'
    expect((await parsedReply(r)).subject).toBe('Re: Abuse from your network [CASE-77]')
  })

  it('is marked Auto-Submitted only when sent unattended', async () => {
    expect((await parsedReply(registroBr())).headers.has('auto-submitted')).toBe(false)
    expect((await parsedReply(registroBr(), {unattended: true})).headers.get('auto-submitted')).toBe('auto-replied')
  })

  it("answers in the reporter's language: pt-BR for registro.br, es for a Spanish CSIRT, en for SpamCop; --lang overrides", async () => {
    expect(replyLanguage(registroBr().report)).toBe('pt-BR')
    expect(replyLanguage({...registroBr().report, language: 'en', reporter: null, from: 'x@cert.br'})).toBe('pt-BR')
    expect(replyLanguage(csirtEs().report)).toBe('es')
    expect(replyLanguage(spamcop().report)).toBe('en')
    expect(replyLanguage(spamcop().report, 'pt_br')).toBe('pt-BR')
    // body language unknown: the sender's country decides
    expect(replyLanguage({...csirtEs().report, language: null})).toBe('es')
    expect(replyLanguage({...spamcop().report, language: null, from: 'soc@isp.com.br'})).toBe('pt-BR')
    expect(replyLanguage({...spamcop().report, language: null})).toBe('en')
    expect((await parsedReply(registroBr())).text).toContain('Agradecemos a notificação')
    expect((await parsedReply(csirtEs())).text).toContain('Gracias por su reporte')
    expect((await parsedReply(spamcop())).text).toContain('Thank you for your report')
    expect((await parsedReply(registroBr(), {lang: 'en'})).text).toContain('Thank you for your report')
  })

  it("states each incident's time in UTC and in the reporter's zone", () => {
    const r = renderDrafts(registroBr(), {config: OPERATOR, now: NOW})
    expect(r.replyText).toContain('2013-06-18 18:53:34 UTC = 2013-06-18 15:53:34 -03:00 (America/Sao_Paulo)')
    const es = renderDrafts(csirtEs(), {config: OPERATOR, now: NOW})
    expect(es.replyText).toContain('2025-01-10 13:05:00 UTC = 2025-01-10 10:05:00 -03:00 (America/Santiago)')
  })

  it('says per incident: identified and notified, ambiguous, not covered by the logs, not our address', () => {
    const pt = renderDrafts(registroBr(), {config: OPERATOR, now: NOW}).replyText
    const events = pt.split(/\n(?=Evento \d+:)/).slice(1)
    expect(events).toHaveLength(5)
    expect(events[0]).toMatch(/Resultado: identificado\. .*notificado/)
    expect(events[2]).toMatch(/Resultado: .*mais de um cliente/)
    expect(events[4]).toMatch(/Resultado: nossos registros não cobrem este horário/)
    expect(pt).toMatch(/Medidas tomadas\n.*notificado/)
    const en = renderDrafts(spamcop(), {config: OPERATOR, now: NOW}).replyText
    expect(en).toMatch(/Event 2:[\s\S]*Result: this address is not part of our network/)
  })

  it('asks, for an incident without a source port, for the port and an exact zoned time, citing RFC 6302', () => {
    for (const lang of ['pt-BR', 'en', 'es']) {
      const text = renderDrafts(registroBr(), {lang, config: OPERATOR, now: NOW}).replyText
      expect(text).toContain('RFC 6302')
      expect(text).toMatch(/porta de origem|source port|puerto de origen/)
      expect(text).toMatch(/fuso horário|time zone|zona horaria/)
    }
  })

  it('mentions a clock difference between the report and our logs without blaming either clock', () => {
    const r = registroBr()
    r.clockOffsetSeconds = 4
    expect(renderDrafts(r, {lang: 'en', config: OPERATOR, now: NOW}).replyText).toContain('differ by about 4 seconds (our logs are ahead)')
    r.clockOffsetSeconds = -30
    expect(renderDrafts(r, {lang: 'pt-BR', config: OPERATOR, now: NOW}).replyText).toContain('diferem em cerca de 30 segundos (nossos registros estão atrasados)')
    r.clockOffsetSeconds = 1
    expect(renderDrafts(r, {lang: 'es', config: OPERATOR, now: NOW}).replyText).not.toContain('difieren')
  })

  it('does not ask for anything when every incident was attributed, and reports the configured measures', () => {
    const r = registroBr()
    r.incidents = r.incidents.slice(0, 2)
    const text = renderDrafts(r, {lang: 'en', config: {...OPERATOR, measures: {en: 'Service suspended until the customer cleans the device.'}}, now: NOW}).replyText
    expect(text).not.toContain('RFC 6302')
    expect(text).toContain('Service suspended until the customer cleans the device.')
  })

  it('says nothing could be identified yet when no incident was attributed', () => {
    const r = registroBr()
    r.incidents = r.incidents.slice(3)
    const text = renderDrafts(r, {lang: 'en', config: OPERATOR, now: NOW}).replyText
    expect(text).toContain('No customer could be identified from the information in this report yet; see above for what we need.')
    expect(text).not.toContain('has been notified, instructed')
    // only incidents outside the logs' coverage: nothing to ask for
    r.incidents = registroBr().incidents.slice(4)
    const covered = renderDrafts(r, {lang: 'en', config: OPERATOR, now: NOW}).replyText
    expect(covered).not.toContain('RFC 6302')
    expect(covered).toContain('No customer could be identified from the information in this report.')
  })

  it('restates the reporter\'s own lines with terminal escapes and control characters removed', () => {
    const r = registroBr()
    r.incidents[0]!.raw = '"2013-06-18 15:53:34" \u001b[31mx.x.x.x/52218\u001b[0m->xxx/6881\u0007 6(0)'
    const text = renderDrafts(r, {lang: 'en', config: OPERATOR, now: NOW}).replyText
    expect(text).toContain('  > "2013-06-18 15:53:34" x.x.x.x/52218->xxx/6881 6(0)')
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/)
  })
})

describe('header injection from the report', () => {
  function hostile(): AttributionResult {
    const r = registroBr()
    r.report.subject = 'Port scan\r\nBcc: victim@evil.example\r\nX-Injected: yes'
    r.report.ticket = 'T-1\nX-Ticket-Injected: 1'
    r.report.messageId = '<abc@registro.br>\r\nX-Id-Injected: 1'
    r.report.from = 'Reporter <rep@registro.br>\r\nBcc: victim2@evil.example'
    r.report.replyTo = ['cc@registro.br\nBcc: victim3@evil.example', 'ok@cert.br', 'not an address', 'two@a.example, three@b.example']
    return r
  }

  it('cannot add headers or recipients through CR/LF in subject, ticket, Message-ID or addresses', async () => {
    const opts = {config: OPERATOR, now: NOW}
    const eml = await composeReply(hostile(), opts)
    const headerBlock = eml.slice(0, eml.indexOf('\r\n\r\n'))
    expect(headerBlock).not.toMatch(/^(Bcc|X-Injected|X-Ticket-Injected|X-Id-Injected):/im)
    const m = await simpleParser(eml)
    expect(m.bcc).toBeUndefined()
    for (const h of ['x-injected', 'x-ticket-injected', 'x-id-injected', 'bcc']) expect(m.headers.has(h)).toBe(false)
    const all = [...addresses(m.to), ...addresses(m.cc)]
    expect(all.some((a) => a.includes('evil.example'))).toBe(false)
    expect(all).toEqual(expect.arrayContaining(['ok@cert.br', 'two@a.example', 'three@b.example']))
    expect(m.subject).not.toMatch(/[\r\n]/)
    // a Message-ID with a line break is not trusted for threading
    expect(m.inReplyTo).toBeUndefined()
    const r = renderDrafts(hostile(), opts)
    expect(r.warnings.join('\n')).toMatch(/Message-ID is malformed/)
    expect(r.warnings.join('\n')).toMatch(/line break was dropped/)
  })

  it('prints template syntax found in the report literally, never runs it', () => {
    const r = registroBr()
    r.report.reporter = '<%= process.exit(9) %>'
    r.incidents[0]!.raw = 'line <%= 6*7 %> end'
    const text = renderDrafts(r, {lang: 'en', config: OPERATOR, now: NOW}).replyText
    expect(text).toContain('Dear <%= process.exit(9) %> team')
    expect(text).toContain('> line <%= 6*7 %> end')
  })

  it('still answers when the report From is unusable, falling back to the first copy address', async () => {
    const r = registroBr()
    r.report.from = 'garbage'
    const m = await parsedReply(r)
    expect(addresses(m.to)).toEqual(['cert@cert.br'])
  })

  it('warns and uses a placeholder sender when no From is configured', async () => {
    const r = renderDrafts(registroBr(), {now: NOW})
    expect(r.replyEml).toMatch(/^From: abuse@example\.invalid/m)
    expect(r.warnings.join('\n')).toMatch(/no sender address configured/)
  })
})
