import {instructionEvidence} from '../evidence-text.js'
import type {ArgChange} from '../evidence.js'
import {sameTemplate, stepTemplate, valuesIn} from '../dockerfile-template.js'
import type {VerdictRule} from '../rule.js'

/**
 * Without recorded inputs or build args, the run's Dockerfile (`ingest --dockerfile`) still tells
 * whether a changed instruction text is an edit or an ARG/ENV value expanded into it: when both texts
 * are the same Dockerfile instruction with only its variables' values different, those variables
 * changed. An old value equal to the Dockerfile default is marked so (no build arg was passed).
 */
export const argInDockerfileTemplate: VerdictRule<'arg-changed'> = {
  name: 'arg-changed: the Dockerfile instruction is the same, only the values of its variables differ',
  decide({step, match, facts}) {
    const dockerfile = facts.run.metadata?.dockerfile?.text
    if (match?.kind !== 'changed' || !dockerfile) return undefined
    const now = stepTemplate(dockerfile, step)
    if (!now) return undefined
    const baselineDockerfile = facts.baseline?.metadata?.dockerfile?.text
    const was = baselineDockerfile ? stepTemplate(baselineDockerfile, match.baseline) : now
    if (!was || !sameTemplate(was, now)) return undefined
    const oldValues = valuesIn(was, match.baseline.instruction)
    const newValues = valuesIn(now, step.instruction)
    if (!oldValues || !newValues) return undefined
    const args: ArgChange[] = []
    for (const name of Object.keys(newValues)) {
      const o = oldValues[name]
      const n = newValues[name]
      if (o === n) continue
      const mark = (v: string | undefined, defaults: Record<string, string | undefined>) => (v !== undefined && v === defaults[name] ? `${v} (default)` : v)
      args.push({name, old: mark(o, was.defaults), new: mark(n, now.defaults)})
    }
    if (!args.length) return undefined
    return {
      verdict: 'arg-changed',
      evidence: {
        summary: args.map((a) => `${a.name}: ${a.old ?? '(unset)'} → ${a.new ?? '(unset)'}`).join(', '),
        args,
        instruction: instructionEvidence(match.baseline.instruction, step.instruction),
        ...(baselineDockerfile ? {} : {missing: ["the baseline's Dockerfile (not recorded): its instruction is taken to be the run's"]}),
      },
    }
  },
}
