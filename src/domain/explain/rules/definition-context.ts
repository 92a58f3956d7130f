import {atLine, baselineName, definitionParents, servedStepsOnPlatform} from '../definition-facts.js'
import type {VerdictRule} from '../rule.js'
import {cacheEvidence} from './cache-unavailable.js'

const TELLS_APART = 'what tells them apart: the context recorded or hashed for both runs (`bakedoctor build`, or the files themselves), or a cache snapshot of the ref taken before this run (`cache inspect --run`)'

/**
 * A COPY/ADD (or a RUN mounting the context) whose definition and parents are identical to the
 * baseline's: its definition holds no file content, so the miss is either changed content or an
 * unavailable cache. Evidence for the cache working (it served other steps of this platform in
 * this run) makes the content the likely cause; both candidates are named either way.
 */
export const definitionContextCopy: VerdictRule<'context-changed' | 'cache-unavailable'> = {
  name: 'context-changed / cache-unavailable: identical definition reading the build context (provenance)',
  decide(ctx) {
    const {step, match, facts} = ctx
    const now = step.provenance
    const was = match?.baseline.provenance
    if (!now || !was || now.hash !== was.hash || !now.definition.inputs.includes('context') || !facts.baseline) return undefined
    const nowParents = definitionParents(step, facts.run)
    const wasParents = definitionParents(match!.baseline, facts.baseline)
    // a parent with another lineage that hit still hands over a result the cache knew (file ops are
    // keyed by the content they copy): only a parent that changed and re-ran explains this miss
    const sameParents = nowParents.length === wasParents.length && nowParents.every((p, i) => p.provenance && (p.provenance.lineage === wasParents[i]?.provenance?.lineage || (p.cached && !p.servedInRun)))
    if (!sameParents) return undefined
    const what = `\`${step.instruction}\`${atLine(step)}`
    const served = servedStepsOnPlatform(step, facts.run)
    const files = (now.definition.file?.actions ?? []).filter((a) => a.from && now.definition.inputs[Number(a.from.replace('input ', ''))] === 'context').map((a) => a.src).filter(Boolean)
    const candidates = `either the content of ${files.length ? files.join(', ') : 'the files it reads'} in the build context changed, or the cache held no result for it`
    // evidence for the cache side: every cache import of this run failed
    const imports = facts.cacheImportsFor(step)
    if (imports.length > 0 && imports.every((i) => i.error)) {
      const failures = imports.map((i) => `${i.instruction.replace(/^importing cache manifest from /, '')}: ${i.error}`).join('; ')
      return {
        verdict: 'cache-unavailable',
        evidence: {
          summary: `${what} reads the build context and its definition is identical to ${baselineName(facts.baseline)}'s; the cache import failed (${failures}), so no cached result could serve it (whether its content changed too cannot be told)`,
          cache: cacheEvidence(ctx),
        },
      }
    }
    if (served > 0) {
      return {
        verdict: 'context-changed',
        evidence: {
          summary: `${what} reads the build context and its definition is identical to ${baselineName(facts.baseline)}'s: ${candidates}; the cache served ${served} other step(s) of this platform in this run, so the content is the likely cause`,
          missing: [`the context's file contents (not in the provenance): which files changed is unknown; ${TELLS_APART}`],
        },
      }
    }
    return {
      verdict: 'cache-unavailable',
      evidence: {
        summary: `${what} reads the build context and its definition is identical to ${baselineName(facts.baseline)}'s: ${candidates}; no step of this platform was served from cache in this run, so neither is proven`,
        cache: cacheEvidence(ctx),
        missing: [TELLS_APART],
      },
    }
  },
}
