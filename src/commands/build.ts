import {Args, Flags} from '../cli/oclif.js'
import {BakedoctorCommand} from '../base-command.js'
import {noTuiFlag} from '../cli/flags.js'
import {gateRulesOf, gateThresholdFlags} from '../cli/gate-flags.js'
import {FailedCheck} from '../errors.js'
import type {BuildResult} from '../services/build/index.js'
import {pushFlags, pushRecorded} from '../cli/history-flags.js'
import type {PushResult} from '../domain/history/results.js'

export default class Build extends BakedoctorCommand<BuildResult & {history?: PushResult}> {
  static override summary = 'Run bake targets (or a Dockerfile), record every step, and show the cache hit rate.'
  static override description = 'Drivers: `buildx` runs `docker buildx bake --progress=rawjson`; `engine` talks to the Docker Engine API over DOCKER_HOST and records the inputs of every step (files, args, base digests). Exit code 1 when a build fails, or a gate flag (--min-hit-rate …, see `bakedoctor gate`) fails a recorded run.'
  static override strict = false
  static override examples = ['<%= config.bin %> build api', '<%= config.bin %> build --driver engine -f Dockerfile --set "*.args.VERSION=2"', '<%= config.bin %> build api --explain --against r12']
  static override args = {target: Args.string({description: 'bake targets or groups (default: the `default` group); for a Dockerfile: the stage'})}
  static override flags = {
    file: Flags.string({char: 'f', description: 'bake file, or a Dockerfile (repeatable)', multiple: true}),
    set: Flags.string({description: 'override a target attribute: TARGET.key=value (repeatable)', multiple: true}),
    driver: Flags.string({description: 'how to build', options: ['auto', 'buildx', 'engine'], default: 'auto'}),
    context: Flags.string({description: 'build the Dockerfile in this directory (no bake file)'}),
    explain: Flags.boolean({description: 'explain the cache misses against the baseline run'}),
    against: Flags.string({description: 'baseline run for --explain (default: the previous run of the same target)'}),
    'no-tui': noTuiFlag,
    ...gateThresholdFlags,
    ...pushFlags,
  }

  async run(): Promise<BuildResult & {history?: PushResult}> {
    const {argv, flags} = await this.parse(Build)
    const targets = (argv as string[]).filter((a) => a !== '')
    const [{runBuild}, {withBuildProgress}] = await Promise.all([import('../services/build/index.js'), import('../output/build-view.js')])
    const result = await withBuildProgress({json: this.jsonEnabled(), multiTarget: targets.length > 1, note: (line) => this.note(line)}, (onEvent, signal) => runBuild({
      targets, files: flags.file ?? [], set: flags.set ?? [], driver: flags.driver as 'auto' | 'buildx' | 'engine', context: flags.context, cwd: process.cwd(), db: flags.db,
      signal, explain: flags.explain || flags.against !== undefined, against: flags.against, gate: gateRulesOf(flags), onEvent,
    }))
    const {presentBuild, buildFailure} = await import('../output/build-text.js')
    await presentBuild(result, {tui: !flags['no-tui'] && !this.jsonEnabled(), out: (text) => this.out(text)})
    // failed builds too: the team's history is of every build
    const history = await pushRecorded(flags, result.db, result.runs.map((r) => r.id), (text) => this.out('\n' + text))
    const failed = buildFailure(result)
    if (failed) throw new FailedCheck(failed, {result: history ? {...result, history} : result})
    return history ? {...result, history} : result
  }
}
