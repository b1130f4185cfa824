import {parseMessageBuffer} from '../../src/report/message.js'
import {buildReport, type ReportOptions} from '../../src/report/index.js'
import type {Report} from '../../src/model.js'

/** Reads an in-memory report (e-mail or text) the way readReport reads a file. */
export async function reportOf(text: string | Buffer, opts: ReportOptions = {}, name = 'mem.eml'): Promise<Report> {
  const buf = typeof text === 'string' ? Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8') : text
  return buildReport(await parseMessageBuffer(buf, name), opts)
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')

export function mail(headers: Record<string, string>, body: string): string {
  const h = {From: 'Abuse Desk <abuse@reporter.example>', To: 'abuse@isp.example', Date: 'Tue, 18 Jun 2013 20:00:00 +0000', 'Message-ID': '<x1@reporter.example>', ...headers}
  return Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\n') + '\n\n' + body
}
