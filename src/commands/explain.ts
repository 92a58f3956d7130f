import {Args, Flags} from '../cli/oclif.js'
import {BakedoctorCommand} from '../base-command.js'
import {checkCacheFlags, checkCacheOf, formatFlag, noTuiFlag} from '../cli/flags.js'
import type {Explanation} from '../domain/explain/types.js'
import {EXPLANATION_FORMATS} from '../output/show-explanation.js'
import {shouldUseTui} from '../ui/tty.js'

export default class Explain extends BakedoctorCommand<Explanation> {
  static override summary = 'Explain every cache miss of a run against a baseline: root causes first, with evidence and advice.'
  static override examples = ['<%= config.bin %> explain', '<%= config.bin %> explain r12 --against r11', '<%= config.bin %> explain --format markdown >> "$GITHUB_STEP_SUMMARY"']
  static override args = {run: Args.string({description: 'run id (r12), latest, latest~1', default: 'latest'})}
  static override flags = {
    against: Flags.string({description: 'baseline run (default: the previous run of the same targets and platforms on the same branch)'}),
    format: formatFlag(Object.keys(EXPLANATION_FORMATS)),
    all: Flags.boolean({description: 'list hits too, not only misses'}),
    'no-tui': noTuiFlag,
    logs: Flags.boolean({description: 'with --json: include every stored log tail (steps[].logTail); failed steps\' last lines are always in their evidence'}),
    ...checkCacheFlags,
  }

  async run(): Promise<Explanation> {
    const {args, flags} = await this.parse(Explain)
    const tui = !this.jsonEnabled() && !flags['no-tui'] && flags.format === 'text' && shouldUseTui(process.stdout, {stdin: process.stdin})
    const {explainRun} = await import('../services/explain.js')
    const explanation = await explainRun({db: flags.db, cwd: process.cwd(), run: args.run, against: flags.against, checkCache: checkCacheOf(flags), logs: flags.logs || tui ? 'all' : 'failed'})
    if (this.jsonEnabled()) return flags.logs ? explanation : (await import('../output/explain-json.js')).withoutStepLogs(explanation)
    // the TUI's `d` view shows the plan and input diff of the run and its baseline
    const {baseline, run} = explanation
    const diff = tui && baseline?.id && run.id ? await (await import('../services/diff.js')).diffRuns({db: flags.db, cwd: process.cwd(), a: baseline.id, b: run.id}) : undefined
    const {showExplanation} = await import('../output/show-explanation.js')
    await showExplanation({explanation, diff}, {tui, format: flags.format, all: flags.all, out: (text) => this.out(text)})
    return explanation
  }
}
