import {Args, Flags} from '@oclif/core'
import {BakedoctorCommand} from '../base-command.js'
import type {Explanation} from '../domain/explain/types.js'
import {shouldUseTui} from '../ui/tty.js'

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
    logs: Flags.boolean({description: 'with --json: include every stored log tail (steps[].logTail); failed steps\' last lines are always in their evidence'}),
    'check-cache': Flags.boolean({description: 'inspect the run\'s registry cache refs and use what they hold as evidence for cache-unavailable verdicts'}),
    'cache-from': Flags.string({description: 'with --check-cache: cache ref to inspect (default: the plan\'s cache-from, else the run\'s cache imports); repeatable', multiple: true}),
    base: Flags.string({description: 'with --check-cache: base image to match per-platform cache roots (default: the run\'s FROM images); repeatable', multiple: true}),
    insecure: Flags.boolean({description: 'with --check-cache: the cache registries may use plain HTTP (loopback) or unverified TLS'}),
    'ca-file': Flags.string({description: 'with --check-cache: PEM file with CA certificates for the registry'}),
  }

  async run(): Promise<Explanation> {
    const {args, flags} = await this.parse(Explain)
    const {explainRun} = await import('../services/explain.js')
    const checkCache = flags['check-cache']
      ? {
          refs: flags['cache-from'], bases: flags.base, insecure: flags.insecure, caFile: flags['ca-file'], env: process.env,
          dockerConfigDir: process.env.DOCKER_CONFIG || (await import('node:path')).join((await import('node:os')).homedir(), '.docker'),
        }
      : undefined
    const tui = !this.jsonEnabled() && !flags['no-tui'] && flags.format === 'text' && shouldUseTui(process.stdout, {stdin: process.stdin})
    const explanation = await explainRun({db: flags.db, cwd: process.cwd(), run: args.run, against: flags.against, checkCache, logs: flags.logs || tui ? 'all' : 'failed'})
    if (this.jsonEnabled()) return flags.logs ? explanation : (await import('../output/explain-json.js')).withoutStepLogs(explanation)
    if (tui) {
      const {renderExplainApp} = await import('../ui/render.js')
      // the `d` view shows the plan and input diff of the run and its baseline
      const diff = explanation.baseline?.id && explanation.run.id
        ? await (await import('../services/diff.js')).diffRuns({db: flags.db, cwd: process.cwd(), a: explanation.baseline.id, b: explanation.run.id})
        : undefined
      // the TUI draws outside this.out: the same output redaction, applied to what it is given
      const {redactOutputValue} = await import('../lib/redact.js')
      await renderExplainApp(redactOutputValue({explanation, diff}))
      return explanation
    }
    const {renderExplanationText, renderExplanationMarkdown} = await import('../output/explain-text.js')
    this.out(flags.format === 'markdown' ? renderExplanationMarkdown(explanation) : renderExplanationText(explanation, {all: flags.all}))
    return explanation
  }
}

