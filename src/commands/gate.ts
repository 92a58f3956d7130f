import {Flags} from '../cli/oclif.js'
import {BakedoctorCommand} from '../base-command.js'
import {gateRulesOf, gateThresholdFlags} from '../cli/gate-flags.js'
import {FailedCheck, UsageError} from '../errors.js'
import {GATE_FORMATS} from '../output/gate-report.js'
import type {GateResult} from '../services/gate.js'

export default class Gate extends BakedoctorCommand<GateResult> {
  static override summary = 'CI gate: exit 1 when a recorded run misses its cache hit-rate rules (overall, per target, per platform, vs a baseline).'

  static override description = `Exit codes: 0 every rule passed; 1 a rule failed, the build failed, or the run has no cacheable steps (unless --allow-empty); 2 usage or input error (bad flag, bad config file, unknown run), or a rule that cannot be judged (its baseline is missing, unless --allow-missing-baseline; or no rule has a figure).
Thresholds come from flags, else from bakedoctor.config.json (or a "bakedoctor" key in package.json) found from the current directory upward, with per-target and per-platform overrides. The report echoes every threshold with its source. See docs/ci.md.`

  static override examples = [
    '<%= config.bin %> gate --min-hit-rate 80',
    '<%= config.bin %> gate --min-hit-rate 80 --format junit --output gate.xml --summary-file "$GITHUB_STEP_SUMMARY"',
    '<%= config.bin %> gate --run r12 --min-hit-rate 50 --per platform',
    '<%= config.bin %> gate --baseline branch:main --max-drop 10',
  ]

  static override flags = {
    run: Flags.string({description: 'run to gate: r12, latest, latest~1', default: 'latest'}),
    ...gateThresholdFlags,
    target: Flags.string({description: 'gate only the steps of this bake target'}),
    platform: Flags.string({description: 'gate only the steps of this platform (linux/arm64)'}),
    per: Flags.string({description: 'scopes rules are checked on (repeatable or comma-separated): overall, target, platform, target-platform [default: overall,target-platform]', multiple: true}),
    'allow-empty': Flags.boolean({description: 'pass a run that has no cacheable steps instead of failing it', allowNo: true}),
    'allow-missing-baseline': Flags.boolean({description: 'skip --max-drop rules whose baseline run is missing instead of stopping with exit 2', allowNo: true}),
    format: Flags.string({description: 'report format', options: Object.keys(GATE_FORMATS), default: 'text'}),
    output: Flags.string({description: 'write the report to this file (the text report still goes to stdout)'}),
    'summary-file': Flags.string({description: 'APPEND a markdown report to this file (e.g. "$GITHUB_STEP_SUMMARY")'}),
    config: Flags.string({description: 'config file (default: nearest bakedoctor.config.json or package.json "bakedoctor" key)'}),
  }

  async run(): Promise<GateResult> {
    const {flags} = await this.parse(Gate)
    const {runGate} = await import('../services/gate.js')
    const result = await runGate({
      db: flags.db, cwd: process.cwd(), run: flags.run, target: flags.target, platform: flags.platform, config: flags.config,
      rules: {...gateRulesOf(flags), per: flags.per, allowEmpty: flags['allow-empty'], allowMissingBaseline: flags['allow-missing-baseline']},
    })
    const {presentGate} = await import('../output/gate-report.js')
    this.out(await presentGate(result, {format: flags.format, output: flags.output, summaryFile: flags['summary-file']}))
    // --json prints the typed result (the error carries it) and still exits non-zero
    if (result.outcome === 'not-evaluable') throw new UsageError(result.headline, {fix: result.fix, result})
    if (!result.passed) throw new FailedCheck(result.headline, {result, reported: true})
    return result
  }
}
