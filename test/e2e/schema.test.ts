/**
 * The --json output of `attribute` is a contract (schemas/attribute.json): real output of the built CLI on
 * samples/ and on the vendor scenarios must validate against it.
 */
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {Ajv} from 'ajv'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const schema = JSON.parse(readFileSync(join(root, 'schemas/attribute.json'), 'utf8'))
const validate = new Ajv({allErrors: true, strict: false}).compile(schema)

const abs = (a: string) => (/^(samples|test)\//.test(a) ? join(root, a) : a)

function attributeJson(args: string[]): unknown {
  const r = spawnSync(process.execPath, [join(root, 'bin/run.js'), 'attribute', ...args, '--json'], {encoding: 'utf8', env: {...process.env, TZ: 'UTC'}})
  return JSON.parse(r.stdout)
}

describe('attribute --json follows schemas/attribute.json', () => {
  const cases: [string, string[]][] = [
    ['the seed samples (attributed, ambiguous, not found)', ['samples/reports/nicbr-portscan.eml', '--nat-logs', 'samples/nat', '--dhcp', 'samples/dhcp', '--public-ip', '203.0.113.5', '--log-tz', 'America/Sao_Paulo']],
    ['CGNAT conntrack + RADIUS', ['test/fixtures/attribute/cgnat-conntrack-radius/report.txt', '--nat-logs', 'test/fixtures/attribute/cgnat-conntrack-radius/conntrack.log', '--dhcp', 'test/fixtures/attribute/cgnat-conntrack-radius/detail-20130618']],
    ['no lease source', ['samples/reports/nicbr-portscan.eml', '--nat-logs', 'samples/nat', '--public-ip', '203.0.113.5']],
  ]
  for (const [what, args] of cases) {
    it(what, () => {
      const out = attributeJson(args.map(abs))
      const ok = validate(out)
      expect(validate.errors ?? []).toEqual([])
      expect(ok).toBe(true)
    })
  }

  it('rejects output that breaks the contract (the schema is not vacuous)', () => {
    const out = attributeJson(['samples/reports/nicbr-portscan.eml', '--nat-logs', 'samples/nat', '--dhcp', 'samples/dhcp', '--public-ip', '203.0.113.5', '--log-tz', 'America/Sao_Paulo'].map(abs)) as {incidents: {attribution: {status: string; mac: string | null}}[]}
    const broken = structuredClone(out)
    const amb = broken.incidents.find((i) => i.attribution.status === 'ambiguous')!
    amb.attribution.mac = '00:11:22:33:44:55' // an ambiguous incident must never name a MAC
    expect(validate(broken)).toBe(false)
  })
})
