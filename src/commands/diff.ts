import {Args, Flags} from '@oclif/core'
import {BakedoctorCommand} from '../base-command.js'
import type {RunDiff} from '../domain/diff/types.js'
import {shouldUseTui} from '../ui/tty.js'

export default class Diff extends BakedoctorCommand<RunDiff> {
  static summary = 'What changed between two runs: plan, inputs (files, base digests, ARG values), hit↔miss transitions with verdicts, timing.'

  static examples = ['<%= config.bin %> diff r11 r12', '<%= config.bin %> diff latest~1 latest --format markdown']

  static args = {
    a: Args.string({description: 'the earlier run', required: true}),
    b: Args.string({description: 'the later run', default: 'latest'}),
  }

  static flags = {
    format: Flags.string({description: 'output format when not interactive', options: ['text', 'markdown'], default: 'text'}),
    'no-tui': Flags.boolean({description: 'print the report even on a terminal'}),
  }

  async run(): Promise<RunDiff> {
    const {args, flags} = await this.parse(Diff)
    const {diffRuns} = await import('../services/diff.js')
    const diff = await diffRuns({db: flags.db, cwd: process.cwd(), a: args.a, b: args.b})
    if (this.jsonEnabled()) return diff
    if (!flags['no-tui'] && flags.format === 'text' && shouldUseTui(process.stdout, {stdin: process.stdin})) {
      const {renderExplainApp} = await import('../ui/render.js')
      await renderExplainApp({explanation: diff.explanation, diff, initialView: 'diff'})
      return diff
    }
    const {renderDiffText, renderDiffMarkdown} = await import('../output/diff-text.js')
    this.out(flags.format === 'markdown' ? renderDiffMarkdown(diff) : renderDiffText(diff))
    return diff
  }
}
