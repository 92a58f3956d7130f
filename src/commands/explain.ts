import {Args, Flags} from '@oclif/core'
import {BakedoctorCommand} from '../base-command.js'
import type {Explanation} from '../domain/explain/types.js'

export default class Explain extends BakedoctorCommand<Explanation> {
  static summary = 'Explain every cache miss of a run against a baseline: root causes first, with evidence and advice.'

  static examples = [
    '<%= config.bin %> explain',
    '<%= config.bin %> explain r12 --against r11',
    '<%= config.bin %> explain --format markdown >> "$GITHUB_STEP_SUMMARY"',
  ]

  static args = {
    run: Args.string({description: 'run id (r12), latest, latest~1', default: 'latest'}),
  }

  static flags = {
    against: Flags.string({description: 'baseline run (default: the previous run of the same targets and platforms on the same branch)'}),
    format: Flags.string({description: 'output format when not interactive', options: ['text', 'markdown'], default: 'text'}),
    all: Flags.boolean({description: 'list hits too, not only misses'}),
    'no-tui': Flags.boolean({description: 'print the report even on a terminal'}),
  }

  async run(): Promise<Explanation> {
    const {args, flags} = await this.parse(Explain)
    const {explainRun} = await import('../services/explain.js')
    const explanation = await explainRun({db: flags.db, cwd: process.cwd(), run: args.run, against: flags.against})
    if (this.jsonEnabled()) return explanation
    const {renderExplanationText, renderExplanationMarkdown} = await import('../output/explain-text.js')
    this.out(flags.format === 'markdown' ? renderExplanationMarkdown(explanation) : renderExplanationText(explanation, {all: flags.all}))
    return explanation
  }
}
