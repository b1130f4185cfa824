/**
 * The review's bridge to the draft writer: the same renderDrafts / writeDrafts `natrace draft` uses, with the
 * operator's decisions, so what `w` writes is exactly what `draft` would write with those choices.
 */
import {renderDrafts, writeDrafts, type DraftOptions} from '../draft/index.js'
import type {DraftIO} from './App.js'
import type {DraftPreview} from './Screens.js'

export type DraftSettings = Omit<DraftOptions, 'decisions' | 'unattended' | 'now'>

export function draftIO(settings: DraftSettings): DraftIO {
  const {outDir, ...rest} = settings
  return {
    outDir,
    async preview(result, decisions): Promise<DraftPreview> {
      const r = renderDrafts(result, {...rest, decisions})
      return {
        replyText: r.replyEml,
        notices: r.notices.map((n) => ({
          client: n.client,
          text: [`Subject: ${n.subject}`, ...(n.to ? [`To: ${n.to}`] : []), '', n.text].join('\n'),
        })),
        evidenceMd: r.evidenceMd,
        warnings: r.warnings,
      }
    },
    async write(result, decisions) {
      const f = await writeDrafts(result, {...settings, decisions})
      return {files: [f.reply, ...f.customerNotices, f.evidenceMd, f.evidenceJson], warnings: f.warnings}
    },
  }
}
