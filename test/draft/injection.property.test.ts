import fc from 'fast-check'
import {simpleParser} from 'mailparser'
import {describe, expect, it} from 'vitest'
import {composeReply} from '../../src/draft/index.js'
import {OPERATOR, registroBr} from './fixtures.js'

const ALLOWED = new Set(['from', 'to', 'cc', 'subject', 'in-reply-to', 'references', 'message-id', 'date', 'mime-version', 'content-type', 'content-transfer-encoding'])

// header-ish fragments an attacker would try, mixed with line breaks and arbitrary text
const piece = fc.oneof(
  fc.constantFrom('\r\n', '\n', '\r', '\u2028', 'Bcc: x@evil.example', 'X-Evil: 1', ': ', '<', '>', ',', '"', '@', 'a@b.example', '\r\n\r\nbody'),
  fc.string({maxLength: 12}),
)
const hostile = fc.array(piece, {maxLength: 8}).map((a) => a.join(''))

describe('report header fields (property)', () => {
  it('never add a header or a Bcc, whatever the subject, ticket, Message-ID and addresses contain', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, hostile, hostile, fc.array(hostile, {maxLength: 3}), async (subject, ticket, messageId, from, replyTo) => {
        const r = registroBr()
        Object.assign(r.report, {subject, ticket, messageId, from, replyTo})
        const eml = await composeReply(r, {config: OPERATOR, now: Date.UTC(2024, 0, 1)})
        const m = await simpleParser(eml)
        for (const k of m.headers.keys()) expect(ALLOWED.has(k), `header ${k}`).toBe(true)
        expect(m.bcc).toBeUndefined()
        expect(m.subject ?? '').not.toMatch(/[\r\n]/)
      }),
      {numRuns: 60},
    )
  })
})
