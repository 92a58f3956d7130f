import {Args} from '../cli/oclif.js'
import {BakedoctorCommand} from '../base-command.js'
import {formatFlag, noTuiFlag} from '../cli/flags.js'
import type {RunDiff} from '../domain/diff/types.js'
import {DIFF_FORMATS} from '../output/show-explanation.js'
import {shouldUseTui, terminalWidth} from '../ui/tty.js'

export default class Diff extends BakedoctorCommand<RunDiff> {
  static override summary = 'What changed between two runs: plan, inputs (files, base digests, ARG values), hit↔miss transitions with verdicts, timing.'
  static override examples = ['<%= config.bin %> diff r11 r12', '<%= config.bin %> diff latest~1 latest --format markdown']
  static override args = {
    a: Args.string({description: 'the earlier run', required: true}),
    b: Args.string({description: 'the later run', default: 'latest'}),
  }
  static override flags = {format: formatFlag(Object.keys(DIFF_FORMATS)), 'no-tui': noTuiFlag}

  async run(): Promise<RunDiff> {
    const {args, flags} = await this.parse(Diff)
    const {diffRuns} = await import('../services/diff.js')
    const diff = await diffRuns({db: flags.db, cwd: process.cwd(), a: args.a, b: args.b})
    if (this.jsonEnabled()) return diff
    const tui = !flags['no-tui'] && flags.format === 'text' && shouldUseTui(process.stdout, {stdin: process.stdin})
    const {showExplanation} = await import('../output/show-explanation.js')
    await showExplanation({explanation: diff.explanation, diff, initialView: 'diff'}, {tui, format: flags.format, width: terminalWidth(process.stdout), out: (text) => this.out(text)})
    return diff
  }
}
