import {mkdtemp, writeFile, mkdir} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {simpleParser} from 'mailparser'
import {describe, expect, it} from 'vitest'
import {composeReply, renderDrafts, type Decision} from '../../src/draft/index.js'
import {applyDecisions} from '../../src/draft/decide.js'
import {buildReplyView, operatorOf} from '../../src/draft/view.js'
import type {AttributionResult} from '../../src/model.js'
import {BOB, CUSTOMER_PORTS, CUSTOMER_SECRETS, OPERATOR, csirtEs, registroBr, spamcop} from './fixtures.js'

const NOW = Date.UTC(2024, 2, 5, 10, 0, 0)
const LANGS = ['pt-BR', 'en', 'es']

// every way a result can reach the reply: as natrace left it, with an ambiguous incident accepted (note naming
// the customer), with an attributed one rejected
const CASES: [string, () => AttributionResult, Decision[]][] = [
  ['registro.br as attributed', registroBr, []],
  ['registro.br with a candidate accepted', registroBr, [{incident: 2, action: 'accept', insideIp: BOB.insideIp, note: `the customer ${BOB.subscriber} (${BOB.hostname}) confirmed by phone`}]],
  ['registro.br with an attribution rejected', registroBr, [{incident: 0, action: 'reject', note: `${BOB.mac} was on holiday`}]],
  ['SpamCop', spamcop, []],
  ['Spanish CSIRT', csirtEs, [{incident: 0, action: 'accept', note: `checked ${BOB.insideIp}`}]],
]

function leaks(text: string): string[] {
  const found = CUSTOMER_SECRETS.filter((s) => text.toLowerCase().includes(s.toLowerCase()))
  for (const p of CUSTOMER_PORTS) if (new RegExp(`\\b${p}\\b`).test(text)) found.push(String(p))
  return found
}

describe('the reply to the reporter never names the customer', () => {
  for (const [name, make, decisions] of CASES) {
    for (const lang of LANGS) {
      it(`${name}, ${lang}: no MAC, hostname, inside IP/port, subscriber or e-mail in reply.eml or its preview`, async () => {
        const result = make()
        // sanity: the customer data is in the result, so the test can fail
        expect(leaks(JSON.stringify(result)).length).toBeGreaterThan(0)
        const opts = {lang, config: OPERATOR, decisions, now: NOW}
        const r = renderDrafts(result, opts)
        expect(leaks(r.replyEml)).toEqual([])
        expect(leaks(r.replyText)).toEqual([])
        const eml = await composeReply(result, opts)
        const parsed = await simpleParser(eml)
        const headerText = [...parsed.headers.entries()]
          .filter(([k]) => k !== 'message-id')
          .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join('\n')
        expect(leaks(`${headerText}\n${parsed.subject ?? ''}\n${parsed.text ?? ''}`)).toEqual([])
        // the customer data does reach the notice and the evidence pack (so the check above is meaningful)
        if (r.notices.length) expect(leaks(r.notices.map((n) => n.text).join('\n')).length).toBeGreaterThan(0)
        expect(leaks(r.evidenceMd).length).toBeGreaterThan(0)
      })
    }
  }

  it('gives templates no customer data to print: the reply view holds none, whatever the decisions', () => {
    for (const [, make, decisions] of CASES) {
      const result = make()
      const decided = applyDecisions(result, decisions)
      const view = buildReplyView(result, decided, 'en', operatorOf(OPERATOR, 'abuse@provedor.example.net'), null, NOW)
      expect(leaks(JSON.stringify(view))).toEqual([])
    }
  })

  it("keeps an operator's own reply template from leaking: a template dumping all its data shows no customer data", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'natrace-tpl-'))
    await mkdir(join(dir, 'en'))
    await writeFile(join(dir, 'en', 'reply.eta'), '<%= JSON.stringify(it, null, 1) %>\n<%= typeof result %> <%= typeof decided %>')
    for (const [, make, decisions] of CASES) {
      const r = renderDrafts(make(), {lang: 'en', templatesDir: dir, config: OPERATOR, decisions, now: NOW})
      expect(r.replyText).toContain('"incidents"')
      expect(r.replyText).toContain('undefined undefined')
      expect(leaks(r.replyText)).toEqual([])
    }
  })
})
