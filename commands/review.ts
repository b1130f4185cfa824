import {Args, Command, Flags} from '@oclif/core'
import {fail} from '../src/cli/errors.js'
import {attributionFlags, attributeOptionsFrom} from '../src/cli/flags.js'
import {EXIT} from '../src/io/errors.js'
import {stripControls} from '../src/io/sanitize.js'

export default class Review extends Command {
  static override summary = 'Review an attribution interactively in the terminal: check the evidence, decide, write the drafts.'
  static override description = `Runs the same attribution as \`natrace attribute\` with a live progress view, then shows the report header
(reporter, ticket, zones, clock offset), the incidents (attributed / ambiguous / not found) and, for the selected
one, its candidates with confidence and the evidence chain (file:line and the raw log and lease lines).

Keys: ↑/↓ incident · ←/→ candidate · a accept · r reject · n note · u undo · d preview the reply and customer
notice · w write the drafts (the files \`natrace draft\` writes, with your decisions) · i assumptions · ? help · q quit.

Needs a terminal; in scripts use \`natrace attribute\` or \`natrace draft\`. Respects NO_COLOR.`
  static override examples = [
    '<%= config.bin %> review samples/reports/nicbr-portscan.eml --nat-logs samples/nat --dhcp samples/dhcp --public-ip 203.0.113.5 --log-tz America/Sao_Paulo',
  ]
  static override args = {report: Args.string({description: 'the abuse report (.eml, text or JSON)', required: true})}
  static override flags = {
    ...attributionFlags,
    out: Flags.string({description: 'directory `w` writes the drafts into (created if missing)', default: 'natrace-drafts'}),
    lang: Flags.string({description: "language of the reply (pt-BR, en, es; default: the reporter's)"}),
    'customer-lang': Flags.string({description: 'language of customer notices (default: config customerLanguage, else the reply language)'}),
    templates: Flags.string({description: 'directory with your own templates: DIR/<lang>/{reply,notice,notice-subject}.eta'}),
    config: Flags.string({description: 'operator config file (default: ./natrace.config.json, else ~/.config/natrace/config.json)'}),
    org: Flags.string({description: 'organisation name signing the drafts (overrides the config)'}),
    from: Flags.string({description: 'From address of the reply (overrides the config)'}),
  }

  async run(): Promise<void> {
    if (!process.stdout.isTTY || !process.stdin.isTTY) {
      // one line, never wrapped: scripts and logs grep it
      process.stderr.write('natrace review: needs an interactive terminal; in scripts use `natrace attribute` or `natrace draft` with the same flags\n')
      this.exit(EXIT.usage)
    }
    let exit: number = EXIT.ok
    try {
      const {args, flags} = await this.parse(Review)
      const opts = attributeOptionsFrom(args.report, flags)
      const {loadOperatorConfig} = await import('../src/draft/index.js')
      const config = await loadOperatorConfig(flags.config)
      if (flags.org) config.organisation = flags.org
      if (flags.from) config.from = flags.from

      // ink turns itself into a printer of final frames when CI is set (read once, when it is loaded): the TTY check
      // above says a person is at a terminal, so the interactive screen is what they get, whatever CI says
      delete process.env.CI
      delete process.env.CONTINUOUS_INTEGRATION
      // chalk (inside ink) reads the colour level when first loaded: decide before importing the UI
      const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== ''
      if (noColor) process.env.FORCE_COLOR = '0'
      const [{runReview}, {draftIO}, {runAttribution}] = await Promise.all([
        import('../src/tui/index.js'),
        import('../src/tui/drafts.js'),
        import('../src/correlate/pipeline.js'),
      ])
      const outcome = await runReview({
        title: args.report,
        color: !noColor,
        load: (onProgress) => runAttribution(opts, onProgress),
        drafts: draftIO({
          outDir: flags.out,
          config,
          reportSource: args.report,
          ...(flags.lang ? {lang: flags.lang} : {}),
          ...(flags['customer-lang'] ? {customerLang: flags['customer-lang']} : {}),
          ...(flags.templates ? {templatesDir: flags.templates} : {}),
        }),
      })
      if (outcome.error !== undefined) throw outcome.error
      exit = outcome.exitCode
      // the screen is gone with the alternate buffer: say again where the drafts are
      if (outcome.written) {
        for (const w of outcome.written.warnings) this.warn(stripControls(w))
        this.log(`Drafts written:\n  ${outcome.written.files.map((f) => stripControls(f)).join('\n  ')}`)
      }
    } catch (err) {
      return fail(this, err)
    }
    // an abort while logs are still being read leaves streams open: end here
    if (exit !== EXIT.ok) this.exit(exit)
  }
}
