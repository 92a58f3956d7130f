import {Args, Flags} from '@oclif/core'
import {BakedoctorCommand} from '../base-command.js'
import {FailedCheck} from '../errors.js'
import type {BuildResult} from '../services/build/index.js'

export default class Build extends BakedoctorCommand<BuildResult> {
  static summary = 'Run bake targets (or a Dockerfile), record every step, and show the cache hit rate.'

  static description = 'Drivers: `buildx` runs `docker buildx bake --progress=rawjson`; `engine` talks to the Docker Engine API over DOCKER_HOST and records the inputs of every step (files, args, base digests). Exit code 1 when a build fails.'

  static strict = false

  static examples = [
    '<%= config.bin %> build api',
    '<%= config.bin %> build --driver engine -f Dockerfile --set "*.args.VERSION=2"',
    '<%= config.bin %> build api --explain --against r12',
  ]

  static args = {
    target: Args.string({description: 'bake targets or groups (default: the `default` group); for a Dockerfile: the stage'}),
  }

  static flags = {
    file: Flags.string({char: 'f', description: 'bake file, or a Dockerfile (repeatable)', multiple: true}),
    set: Flags.string({description: 'override a target attribute: TARGET.key=value (repeatable)', multiple: true}),
    driver: Flags.string({description: 'how to build', options: ['auto', 'buildx', 'engine'], default: 'auto'}),
    context: Flags.string({description: 'build the Dockerfile in this directory (no bake file)'}),
    explain: Flags.boolean({description: 'explain the cache misses against the baseline run'}),
    against: Flags.string({description: 'baseline run for --explain (default: the previous run of the same target)'}),
    'no-tui': Flags.boolean({description: 'with --explain: print the report even on a terminal'}),
    'min-hit-rate': Flags.string({description: 'gate: exit 1 when a recorded run\'s hit rate is below N % (see `bakedoctor gate`)'}),
    'min-time-saved-rate': Flags.string({description: 'gate: minimum time-weighted hit rate, %'}),
    'max-drop': Flags.string({description: 'gate: maximum drop of the hit rate against --baseline (or the previous run), points'}),
    baseline: Flags.string({description: 'gate: run or branch:NAME for --max-drop'}),
  }

  async run(): Promise<BuildResult> {
    const {argv, flags} = await this.parse(Build)
    const targets = (argv as string[]).filter((a) => a !== '')
    const controller = new AbortController()
    const onSigint = (): void => controller.abort()
    process.once('SIGINT', onSigint)
    const {runBuild} = await import('../services/build/index.js')
    const {BuildProgressPrinter} = await import('../output/build-progress.js')
    const {shouldUseTui} = await import('../ui/tty.js')
    const printers = new Map<string, InstanceType<typeof BuildProgressPrinter>>()
    const multi = targets.length > 1
    // on a terminal: the live Ink view; on a pipe: one plain line per finished step (stderr)
    const live = !this.jsonEnabled() && shouldUseTui(process.stderr) ? (await import('../ui/render-build.js')).startLiveBuildView({stdout: process.stderr}) : undefined
    let result: BuildResult
    try {
      result = await runBuild({
        targets,
        files: flags.file ?? [],
        set: flags.set ?? [],
        driver: flags.driver as 'auto' | 'buildx' | 'engine',
        context: flags.context,
        cwd: process.cwd(),
        db: flags.db,
        signal: controller.signal,
        explain: flags.explain || flags.against !== undefined,
        against: flags.against,
        gate: {minHitRate: flags['min-hit-rate'], minTimeSavedRate: flags['min-time-saved-rate'], maxDrop: flags['max-drop'], baseline: flags.baseline},
        onEvent: (event, target) => {
          if (this.jsonEnabled()) return
          if (live) return live.push(event, target)
          const key = target ?? ''
          let printer = printers.get(key)
          if (!printer) printers.set(key, (printer = new BuildProgressPrinter((line) => this.note(line), multi && target ? `[${target}] ` : '')))
          printer.push(event)
        },
      })
    } finally {
      process.off('SIGINT', onSigint)
      await live?.finish()
    }
    const {renderBuildSummary} = await import('../output/build-text.js')
    this.out(renderBuildSummary(result))
    if (result.explanations?.length) {
      if (!flags['no-tui'] && shouldUseTui(process.stdout, {json: this.jsonEnabled(), stdin: process.stdin})) {
        const {renderExplainApp} = await import('../ui/render.js')
        for (const explanation of result.explanations) await renderExplainApp({explanation, stdin: process.stdin, stdout: process.stdout})
      } else {
        const {renderExplanationText} = await import('../output/explain-text.js')
        for (const explanation of result.explanations) this.out('\n' + renderExplanationText(explanation))
      }
    }
    if (result.gates?.length) {
      const {renderGateText} = await import('../output/gate-text.js')
      for (const gate of result.gates) this.out('\n' + renderGateText(gate))
    }
    const failed = buildFailure(result)
    if (failed) throw new FailedCheck(failed, {result})
    return result
  }
}

/** Why `build` exits 1: a build that failed or was cancelled, or a gate that did not pass. */
function buildFailure(result: BuildResult): string | undefined {
  const bad = result.runs.find((r) => r.status !== 'completed')
  if (!result.ok) return bad ? `run ${bad.id} ${bad.status}${bad.error && bad.error !== bad.status ? `: ${bad.error}` : ''}` : 'nothing was built'
  const gate = result.gates?.find((g) => !g.passed)
  return gate?.headline
}
