import {Flags} from '@oclif/core'
import {BakedoctorCommand} from '../base-command.js'
import {FailedCheck, UsageError} from '../errors.js'
import type {GateResult} from '../services/gate.js'

export default class Gate extends BakedoctorCommand<GateResult> {
  static summary = 'CI gate: exit 1 when a recorded run misses its cache hit-rate rules (overall, per target, per platform, vs a baseline).'

  static description = `Exit codes: 0 every rule passed; 1 a rule failed, the build failed, or the run has no cacheable steps (unless --allow-empty); 2 usage or input error (bad flag, bad config file, unknown run), or a rule that cannot be judged (its baseline is missing, unless --allow-missing-baseline; or no rule has a figure).
Thresholds come from flags, else from bakedoctor.config.json (or a "bakedoctor" key in package.json) found from the current directory upward, with per-target and per-platform overrides. The report echoes every threshold with its source. See docs/ci.md.`

  static examples = [
    '<%= config.bin %> gate --min-hit-rate 80',
    '<%= config.bin %> gate --min-hit-rate 80 --format junit --output gate.xml --summary-file "$GITHUB_STEP_SUMMARY"',
    '<%= config.bin %> gate --run r12 --min-hit-rate 50 --per platform',
    '<%= config.bin %> gate --baseline branch:main --max-drop 10',
  ]

  static flags = {
    run: Flags.string({description: 'run to gate: r12, latest, latest~1', default: 'latest'}),
    'min-hit-rate': Flags.string({description: 'minimum hit rate in percent (cached cacheable steps / cacheable steps; served in-run steps never count)'}),
    'min-time-saved-rate': Flags.string({description: 'minimum time-weighted hit rate in percent (seconds saved / (saved + spent))'}),
    target: Flags.string({description: 'gate only the steps of this bake target'}),
    platform: Flags.string({description: 'gate only the steps of this platform (linux/arm64)'}),
    per: Flags.string({description: 'scopes rules are checked on (repeatable or comma-separated): overall, target, platform, target-platform [default: overall,target-platform]', multiple: true}),
    baseline: Flags.string({description: 'baseline for --max-drop: a run (r12, latest~1) or branch:NAME (its latest run) [default: the previous run of the same targets]'}),
    'max-drop': Flags.string({description: 'maximum drop of the hit rate below the baseline\'s, in percentage points'}),
    'allow-empty': Flags.boolean({description: 'pass a run that has no cacheable steps instead of failing it', allowNo: true}),
    'allow-missing-baseline': Flags.boolean({description: 'skip --max-drop rules whose baseline run is missing instead of stopping with exit 2', allowNo: true}),
    format: Flags.string({description: 'report format', options: ['text', 'json', 'markdown', 'junit'], default: 'text'}),
    output: Flags.string({description: 'write the report to this file (the text report still goes to stdout)'}),
    'summary-file': Flags.string({description: 'APPEND a markdown report to this file (e.g. "$GITHUB_STEP_SUMMARY")'}),
    config: Flags.string({description: 'config file (default: nearest bakedoctor.config.json or package.json "bakedoctor" key)'}),
  }

  async run(): Promise<GateResult> {
    const {flags} = await this.parse(Gate)
    const {runGate} = await import('../services/gate.js')
    const result = await runGate({
      db: flags.db, cwd: process.cwd(), run: flags.run, target: flags.target, platform: flags.platform, config: flags.config,
      rules: {
        minHitRate: flags['min-hit-rate'], minTimeSavedRate: flags['min-time-saved-rate'], maxDrop: flags['max-drop'],
        baseline: flags.baseline, per: flags.per, allowEmpty: flags['allow-empty'], allowMissingBaseline: flags['allow-missing-baseline'],
      },
    })
    const [{renderGateText}, {redactOutput}] = await Promise.all([import('../output/gate-text.js'), import('../lib/redact.js')])
    const report = await render(flags.format, result)
    const {appendFile, writeFile} = await import('node:fs/promises')
    const write = async (file: string, text: string, append: boolean, flag: string) => {
      try {
        await (append ? appendFile : writeFile)(file, redactOutput(text))
      } catch (error) {
        throw new UsageError(`cannot write ${flag} ${file}: ${(error as Error).message}`, {fix: 'check that the directory exists and is writable'})
      }
    }
    if (flags.output) await write(flags.output, report.endsWith('\n') ? report : report + '\n', false, '--output')
    if (flags['summary-file']) {
      const {renderGateMarkdown} = await import('../output/gate-markdown.js')
      await write(flags['summary-file'], renderGateMarkdown(result) + '\n', true, '--summary-file')
    }
    this.out(flags.output ? renderGateText(result) : report)
    // --json prints the typed result (the error carries it) and still exits non-zero
    if (result.outcome === 'not-evaluable') throw new UsageError(result.headline, {fix: result.fix, result})
    if (!result.passed) throw new FailedCheck(result.headline, {result})
    return result
  }
}

async function render(format: string, result: GateResult): Promise<string> {
  switch (format) {
    case 'json':
      return JSON.stringify(result, null, 2)
    case 'markdown':
      return (await import('../output/gate-markdown.js')).renderGateMarkdown(result)
    case 'junit':
      return (await import('../output/gate-junit.js')).renderGateJunit(result)
    default:
      return (await import('../output/gate-text.js')).renderGateText(result)
  }
}
