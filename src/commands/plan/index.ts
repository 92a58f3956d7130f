import {Args, Flags} from '@oclif/core'
import {BakedoctorCommand} from '../../base-command.js'
import {UsageError} from '../../errors.js'
import type {ResolvedPlan} from '../../services/plan.js'

/** `--var K=V` / `--set` helpers shared with `plan diff`. */
export function parseVars(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values ?? []) {
    const i = v.indexOf('=')
    if (i <= 0) throw new UsageError(`invalid --var ${v}: expected NAME=VALUE`, {fix: 'pass --var NAME=VALUE'})
    out[v.slice(0, i)] = v.slice(i + 1)
  }
  return out
}

export const planFlags = {
  file: Flags.string({char: 'f', description: 'bake definition file (repeatable; default: buildx lookup order)', multiple: true, multipleNonGreedy: true}),
  set: Flags.string({description: 'override a target value (PATTERN.KEY=VALUE or +=), like buildx --set', multiple: true, multipleNonGreedy: true}),
  var: Flags.string({description: 'set a variable (NAME=VALUE), like buildx --var', multiple: true, multipleNonGreedy: true}),
  source: Flags.string({description: 'who resolves the plan', options: ['auto', 'buildx', 'builtin'], default: 'auto'}),
}

export default class Plan extends BakedoctorCommand<ResolvedPlan> {
  static summary = 'Resolve bake files like `docker buildx bake --print` and show the plan.'
  static description = 'auto uses `docker buildx bake --print` when docker buildx is available, else the built-in resolver (same plan model).'
  static strict = false
  static args = {targets: Args.string({description: 'targets or groups (default: default)', required: false})}
  static flags = planFlags

  async run(): Promise<ResolvedPlan> {
    const {argv, flags} = await this.parse(Plan)
    const {showPlan} = await import('../../services/plan.js')
    const result = await showPlan({
      db: flags.db,
      cwd: process.cwd(),
      env: process.env,
      files: flags.file,
      targets: argv as string[],
      set: flags.set,
      vars: parseVars(flags.var),
      source: flags.source as 'auto' | 'buildx' | 'builtin',
      stdin: async () => {
        const chunks: Buffer[] = []
        for await (const c of process.stdin) chunks.push(c as Buffer)
        return Buffer.concat(chunks).toString('utf8')
      },
    })
    const {renderPlan} = await import('../../output/plan-text.js')
    this.out(renderPlan(result))
    return result
  }
}
