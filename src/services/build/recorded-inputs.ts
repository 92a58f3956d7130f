import {readFile} from 'node:fs/promises'
import path from 'node:path'
import type {PlanTarget} from '../../domain/bake/plan.js'
import {parseDockerfile} from '../../domain/dockerfile/parse.js'
import {planSteps, type StepPlan} from '../../domain/dockerfile/steps.js'
import {InputError} from '../../domain/errors.js'
import {computeStepInputs} from '../../domain/inputs/compute.js'
import type {ContextEntry} from '../../domain/inputs/sources.js'
import type {StepInputs} from '../../domain/model/run.js'
import {hashSecret, isSecretArg} from '../../domain/redact/policy.js'

/** A target's Dockerfile, parsed and planned for one platform: what recorded inputs are computed from. */
export interface InputsContext {
  parsed: ReturnType<typeof parseDockerfile>
  dockerfilePath: string
  dockerfileRel: string
  stepPlan: StepPlan
}

export async function loadDockerfile(target: PlanTarget, contextDir: string, baseDir: string, args: Record<string, string>, platform: string | undefined): Promise<InputsContext> {
  const dockerfilePath = target.dockerfile ? path.resolve(contextDir, target.dockerfile) : path.join(contextDir, 'Dockerfile')
  let text: string
  if (target['dockerfile-inline'] !== undefined) text = target['dockerfile-inline']
  else {
    try {
      text = await readFile(dockerfilePath, 'utf8')
    } catch (error) {
      throw new InputError('cannot read the Dockerfile', {file: dockerfilePath, fix: 'check the dockerfile and context of the target', cause: error})
    }
  }
  const dockerfileRel = path.relative(baseDir, dockerfilePath) || 'Dockerfile'
  const parsed = parseDockerfile(text, dockerfileRel)
  const stepPlan = planSteps(parsed, {buildArgs: args, target: target.target, platform, file: dockerfileRel})
  return {parsed, dockerfilePath, dockerfileRel, stepPlan}
}

export function computeInputsFor(
  ctx: InputsContext,
  entries: readonly ContextEntry[] | undefined,
  options: {baseImages: Record<string, string>; platform: string; namePlatform?: string; salt: string; target?: string},
): Map<string, StepInputs> {
  return computeStepInputs({
    plan: ctx.stepPlan,
    dockerfile: ctx.dockerfileRel,
    platform: options.platform,
    namePlatform: options.namePlatform,
    target: options.target,
    context: entries,
    baseImages: options.baseImages,
    secretSalt: options.salt,
  })
}

/** Secret-looking build-arg values: redacted wherever they appear in what is recorded. */
export function secretArgValues(args: Record<string, string>): string[] {
  return Object.entries(args).filter(([k, v]) => v !== '' && isSecretArg(k, v)).map(([, v]) => v)
}

/** Build args as recorded in the run's metadata: secret-looking values as salted hashes (like the inputs). */
export function maskArgsForRecord(args: Record<string, string>, salt: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(args)) out[k] = isSecretArg(k, v) ? hashSecret(v, salt) : v
  return out
}

/** A context the drivers cannot walk (a Git or HTTP URL). */
export function isRemoteContext(context: string): boolean {
  return /^[a-z]+:\/\//i.test(context) || context.startsWith('git@')
}

/** The platform a build without one runs for: this machine's. */
export function defaultPlatform(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm' ? 'arm' : process.arch
  return `linux/${arch}`
}
