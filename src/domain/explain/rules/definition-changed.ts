import type {Step} from '../../model/run.js'
import {changeText, compareDefinitions, type DefinitionChange} from '../../provenance/compare.js'
import {atLine, byDigest, definitionParents} from '../definition-facts.js'
import type {ArgChange, Evidence} from '../evidence.js'
import {instructionEvidence} from '../evidence-text.js'
import type {StepContext, VerdictRule} from '../rule.js'

type Kind = 'arg-changed' | 'instruction-changed' | 'base-image-changed'

/**
 * The builder's own record names what changed, field by field: an env value (every ARG in scope is
 * in the exec env, read by the command or not — BuildKit misses all the same), the command, cwd,
 * user, network, a mount, a file action; or, with its own definition unchanged, the base image one
 * of its parents is. Each with the step's Dockerfile line.
 */
export const definitionChanged: VerdictRule<Kind> = {
  name: 'arg-changed / instruction-changed / base-image-changed: the definition differs (provenance)',
  decide(ctx) {
    const now = ctx.step.provenance
    const was = ctx.match?.baseline.provenance
    if (!now || !was) return undefined
    if (now.hash === was.hash) return baseImageOfParents(ctx)
    const changes = compareDefinitions(was.definition, now.definition)
    if (!changes.length) return undefined
    const env = changes.filter((c): c is Extract<DefinitionChange, {field: 'env'}> => c.field === 'env')
    const other = changes.filter((c) => c.field !== 'env')
    const args: ArgChange[] = env.map((c) => (c.secret ? {name: c.name, secret: true} : {name: c.name, old: c.old, new: c.new}))
    const where = atLine(ctx.step)
    const b = ctx.match!.baseline
    if (!other.length) {
      const evidence: Evidence = {summary: `${env.map(changeText).join(', ')}${where}`, args}
      if (b.instruction !== ctx.step.instruction) evidence.instruction = instructionEvidence(b.instruction, ctx.step.instruction)
      return {verdict: 'arg-changed', evidence}
    }
    const command = other.find((c): c is Extract<DefinitionChange, {field: 'command'}> => c.field === 'command')
    // the command itself is shown as a word diff (evidence.instruction): the summary names it only
    const described = other.map((c) => (c.field === 'command' ? 'command changed' : changeText(c)))
    const evidence: Evidence = {
      summary: `${described.join('; ')}${env.length ? `; ${env.map(changeText).join(', ')}` : ''}${where}`,
      instruction: command ? instructionEvidence(command.old, command.new) : instructionEvidence(b.instruction, ctx.step.instruction),
    }
    if (args.length) evidence.args = args
    return {verdict: 'instruction-changed', evidence}
  },
}

/** Its own definition is unchanged, but an image source it reads moved to another digest. */
function baseImageOfParents(ctx: StepContext) {
  const {step, match, facts} = ctx
  if (!facts.baseline || !match) return undefined
  const nowParents = definitionParents(step, facts.run)
  const wasParents = definitionParents(match.baseline, facts.baseline)
  for (let i = 0; i < nowParents.length; i++) {
    const n = nowParents[i]!.provenance?.definition.source
    const o = wasParents[i]?.provenance?.definition.source
    if (!n?.digest || !o?.digest || n.ref !== o.ref || n.digest === o.digest) continue
    const ref = n.ref!
    const from = fromStepOf(nowParents[i]!, facts.run)
    return {
      verdict: 'base-image-changed' as const,
      evidence: {summary: `${ref}: ${o.digest} → ${n.digest}${from ? atLine(from) : ''}`, baseImage: {ref, old: o.digest, new: n.digest}},
    }
  }
  return undefined
}

/** The FROM vertex of an image source (same digest), for its Dockerfile line. */
function fromStepOf(source: Step, run: StepContext['facts']['run']): Step | undefined {
  return byDigest(run).get(source.digest)?.find((s) => s.provenance?.location) ?? source
}
