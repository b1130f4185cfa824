import {describe, expect, it} from 'vitest'
import {renderDrafts} from '../../src/draft/index.js'
import type {AttributionResult} from '../../src/model.js'
import {ALICE, BOB, OPERATOR, attributed, csirtEs, registroBr, spamcop} from './fixtures.js'

const NOW = Date.UTC(2024, 2, 5, 10, 0, 0)

/** registro.br with incident 3 attributed to BOB instead of ambiguous: two customers in one report. */
function twoCustomers(): AttributionResult {
  const r = registroBr()
  r.incidents[2]!.attribution = attributed(BOB, 53001, '200.160.3.103', 'Jun 18 16:10:03')
  return r
}

describe('customer notices', () => {
  it('writes one notice per customer, each with only that customer\'s incidents', () => {
    const r = renderDrafts(twoCustomers(), {config: OPERATOR, now: NOW})
    expect(r.notices.map((n) => n.n)).toEqual([1, 2])
    const [alice, bob] = r.notices
    expect(alice!.text).toContain(ALICE.hostname)
    expect(alice!.text).toContain('porta 52218')
    expect(alice!.text).toContain('porta 52518')
    expect(alice!.text).not.toContain('53001')
    expect(alice!.text).not.toContain(BOB.hostname)
    expect(bob!.text).toContain('porta 53001')
    expect(bob!.text).not.toContain('52218')
    expect(bob!.text).not.toContain(ALICE.insideIp)
  })

  it('tells what was observed (times, destination, ports), what to do, and the consequences, in pt-BR, en and es', () => {
    const expectations: Record<string, RegExp[]> = {
      'pt-BR': [/2013-06-18 18:53:34 UTC = 2013-06-18 15:53:34 -03:00/, /para 200\.160\.3\.103 porta 6881/, /antivírus/, /BitTorrent/, /6881-6999/, /roteador/, /suspender o serviço/],
      en: [/2013-06-18 18:53:34 UTC = 2013-06-18 15:53:34 -03:00/, /to 200\.160\.3\.103 port 6881/, /anti-malware/, /BitTorrent/, /6881-6999/, /router/, /suspend your service/],
      es: [/2013-06-18 18:53:34 UTC = 2013-06-18 15:53:34 -03:00/, /hacia 200\.160\.3\.103 puerto 6881/, /antimalware/, /BitTorrent/, /6881-6999/, /router/, /suspender el servicio/],
    }
    for (const [lang, res] of Object.entries(expectations)) {
      const n = renderDrafts(registroBr(), {config: OPERATOR, customerLang: lang, now: NOW}).notices[0]!
      for (const re of res) expect(n.text, `${lang}: ${re}`).toMatch(re)
      expect(n.subject).toContain(OPERATOR.organisation)
    }
  })

  it('points at P2P software when the destination port is in 6881-6999, not otherwise', () => {
    expect(renderDrafts(registroBr(), {config: OPERATOR, customerLang: 'en', now: NOW}).notices[0]!.text).toMatch(/Ports 6881-6999 are used by BitTorrent/)
    expect(renderDrafts(spamcop(), {config: OPERATOR, customerLang: 'en', now: NOW}).notices[0]!.text).not.toMatch(/Ports 6881-6999 are used/)
  })

  it('names the kind of abuse from the report subject', () => {
    expect(renderDrafts(spamcop(), {config: OPERATOR, customerLang: 'en', now: NOW}).notices[0]!.text).toMatch(/spam/)
    expect(renderDrafts(csirtEs(), {config: OPERATOR, now: NOW}).notices[0]!.text).toMatch(/fuerza bruta|contraseñas/)
  })

  it('uses the configured customer language and zone, independent of the reporter', () => {
    const n = renderDrafts(spamcop(), {config: {...OPERATOR, customerLanguage: 'pt-BR'}, now: NOW}).notices[0]!
    expect(n.text).toContain('Prezado(a) cliente')
    expect(n.text).toContain('2024-03-04 22:15:07 UTC = 2024-03-04 19:15:07 -03:00 (America/Sao_Paulo)')
  })

  it('has no notice for a customer the operator rejected, and one for a candidate the operator accepted', () => {
    const rejected = renderDrafts(registroBr(), {config: OPERATOR, now: NOW, decisions: [{incident: 0, action: 'reject'}, {incident: 1, action: 'reject'}]})
    expect(rejected.notices).toEqual([])
    const accepted = renderDrafts(registroBr(), {config: OPERATOR, now: NOW, decisions: [{incident: 2, action: 'accept', mac: BOB.mac, note: 'confirmed'}]})
    expect(accepted.notices.map((n) => n.client)).toEqual([expect.stringContaining(ALICE.mac), expect.stringContaining(BOB.mac)])
    expect(accepted.notices[1]!.text).toContain('porta 53001')
  })

  it("addresses the notice to the customer's e-mail when it is known", () => {
    expect(renderDrafts(spamcop(), {config: OPERATOR, now: NOW}).notices[0]!.to).toBe('dagoberto@cliente.example.org')
    expect(renderDrafts(registroBr(), {config: OPERATOR, now: NOW}).notices[0]!.to).toBeNull()
  })
})
