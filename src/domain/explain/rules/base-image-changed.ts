import {parseFrom} from '../match-steps.js'
import {fromDigest} from '../run-facts.js'
import type {Advice, VerdictRule} from '../rule.js'

/**
 * Its FROM resolved to another digest than the baseline's. BuildKit announces a FROM shared by
 * several stages under one stage's name only, and not always the same one: compare by (target,
 * platform, image ref), not by step slot.
 */
export const baseImageMoved: VerdictRule<'base-image-changed'> = {
  name: 'base-image-changed: its FROM parent resolved to another digest',
  decide({step, match, parents, facts}) {
    const from = parents.find((p) => p.kind === 'FROM')
    if (!from) return undefined
    const ref = parseFrom(from.instruction).ref
    const now = fromDigest(from)
    const was = facts.baselineFromDigest(step, ref)
    if (was && now && now !== was) return {verdict: 'base-image-changed', evidence: {summary: `${ref}: ${was} → ${now}`, baseImage: {ref, old: was, new: now}}}
    // the FROM names another image than the matched baseline step's did (`FROM \${BASE}` with BASE switched)
    const before = match ? facts.baselineFromOf(match.baseline) : undefined
    if (!before || was) return undefined
    const oldRef = parseFrom(before.instruction).ref
    if (oldRef === ref) return undefined
    const old = fromDigest(before)
    return {
      verdict: 'base-image-changed',
      evidence: {summary: `${oldRef}@${old ?? '(digest unknown)'} → ${ref}@${now ?? '(digest unknown)'}`, baseImage: {ref, oldRef, old, new: now}},
    }
  },
}

/** The recorded inputs show a base-image component with another value. */
export const baseImageRecorded: VerdictRule<'base-image-changed'> = {
  name: 'base-image-changed: recorded base image changed',
  decide: ({recorded}) => (recorded?.verdict === 'base-image-changed' ? {verdict: 'base-image-changed', evidence: recorded.evidence} : undefined),
}

export const baseImageChangedAdvice: Advice = (_step, evidence) =>
  `The base image tag now resolves to another digest: pin it (FROM ${evidence.baseImage?.ref ?? 'image'}@sha256:…) and update it deliberately, e.g. with Renovate/Dependabot.`
