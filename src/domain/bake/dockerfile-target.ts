import {InputError} from '../errors.js'
import {applyOverrides, parseOverrides} from './overrides.js'
import type {PlanTarget} from './plan.js'

/** The attributes a Dockerfile build (no bake file) takes from `--set`: what its drivers pass on. */
const DOCKERFILE_KEYS = new Set(['args', 'labels', 'platform', 'tags', 'target', 'context', 'dockerfile', 'no-cache', 'network'])

/**
 * A Dockerfile build without a bake file is a one-target plan: `--set` is parsed and applied exactly
 * as bake does (patterns, globs, `+=`, `args.NAME` from the environment), limited to the attributes
 * such a build uses. `args.NAME=v` / `labels.NAME=v` without a target pattern name this target.
 */
export function dockerfileTarget(name: string, base: PlanTarget, sets: readonly string[], env: Record<string, string | undefined>): PlanTarget {
  const patterned = sets.map((s) => (/^(args|labels)\./.test(s) && name !== 'args' && name !== 'labels' ? `${name}.${s}` : s))
  const overrides = parseOverrides(patterned, [name], env).get(name)
  for (const o of overrides?.values() ?? []) {
    if (!DOCKERFILE_KEYS.has(o.key)) {
      throw new InputError(`--set key "${o.key}" is not supported without a bake file`, {file: '--set', fix: `use ${[...DOCKERFILE_KEYS].join(', ')}, or build with a bake file`})
    }
  }
  const target = applyOverrides(base, overrides) as PlanTarget
  // bake --print blanks a --set network (as buildx does); a Dockerfile build passes the value on
  const network = overrides?.get('network')
  if (network) target.network = network.value
  return target
}
