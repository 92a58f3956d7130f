import {Args, Flags} from '../../cli/oclif.js'
import {BakedoctorCommand} from '../../base-command.js'
import {UsageError} from '../../errors.js'
import type {PlanDiffResult, PlanRef} from '../../services/plan.js'
import {parseAssignments, planFlags} from '../../cli/flags.js'

export default class PlanDiff extends BakedoctorCommand<PlanDiffResult> {
  static override summary = 'Compare two plans attribute by attribute per target.'
  static override description = 'A and B are bake files, or stored run ids; or compare the bake files at two git revisions with --rev REV1 --rev REV2.'
  static override examples = ['<%= config.bin %> plan diff old.hcl docker-bake.hcl', '<%= config.bin %> plan diff --rev main --rev HEAD', '<%= config.bin %> plan diff RUN1 RUN2']
  static override args = {
    a: Args.string({description: 'bake file or run id', required: false}),
    b: Args.string({description: 'bake file or run id', required: false}),
  }
  static override flags = {
    ...planFlags,
    source: Flags.string({description: 'who resolves file plans', options: ['auto', 'buildx', 'builtin'], default: 'builtin'}),
    rev: Flags.string({description: 'git revision of the bake files (give exactly two)', multiple: true, multipleNonGreedy: true}),
    target: Flags.string({char: 't', description: 'targets to resolve (default: default)', multiple: true, multipleNonGreedy: true}),
  }

  async run(): Promise<PlanDiffResult> {
    const {args, flags} = await this.parse(PlanDiff)
    const {diffPlans, planRefFromArg} = await import('../../services/plan.js')
    const cwd = process.cwd()
    let left: PlanRef
    let right: PlanRef
    if (flags.rev?.length) {
      if (flags.rev.length !== 2 || args.a || args.b) throw new UsageError('--rev needs exactly two revisions and no positional arguments', {fix: 'bakedoctor plan diff --rev REV1 --rev REV2'})
      left = {kind: 'rev', rev: flags.rev[0] as string}
      right = {kind: 'rev', rev: flags.rev[1] as string}
    } else {
      if (!args.a || !args.b) throw new UsageError('plan diff needs two plans to compare', {fix: 'pass two bake files, two run ids, or --rev REV1 --rev REV2'})
      left = planRefFromArg(args.a, cwd)
      right = planRefFromArg(args.b, cwd)
    }
    const result = await diffPlans({
      cwd, env: process.env, left, right, files: flags.file, targets: flags.target, set: flags.set,
      vars: parseAssignments(flags.var, '--var'), source: flags.source as 'auto' | 'buildx' | 'builtin', db: flags.db,
    })
    const {renderPlanDiff} = await import('../../output/plan-text.js')
    this.out(renderPlanDiff(result))
    return result
  }
}
