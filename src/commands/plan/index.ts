import {Args} from '../../cli/oclif.js'
import {BakedoctorCommand} from '../../base-command.js'
import {parseAssignments, planFlags, readStdin} from '../../cli/flags.js'
import type {ResolvedPlan} from '../../services/plan.js'

export default class Plan extends BakedoctorCommand<ResolvedPlan> {
  static override summary = 'Resolve bake files like `docker buildx bake --print` and show the plan.'
  static override description = 'auto uses `docker buildx bake --print` when docker buildx is available, else the built-in resolver (same plan model).'
  static override strict = false
  static override args = {targets: Args.string({description: 'targets or groups (default: default)', required: false})}
  static override flags = planFlags

  async run(): Promise<ResolvedPlan> {
    const {argv, flags} = await this.parse(Plan)
    const {showPlan} = await import('../../services/plan.js')
    const result = await showPlan({
      db: flags.db, cwd: process.cwd(), env: process.env, files: flags.file, targets: argv as string[], set: flags.set,
      vars: parseAssignments(flags.var, '--var'), source: flags.source as 'auto' | 'buildx' | 'builtin', stdin: readStdin,
    })
    if (this.jsonEnabled()) return result // 1,000 targets' text is not rendered only to be dropped
    const {renderPlan} = await import('../../output/plan-text.js')
    this.out(renderPlan(result))
    return result
  }
}
