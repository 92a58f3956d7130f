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
  decide({step, parents, facts}) {
    const from = parents.find((p) => p.kind === 'FROM')
    if (!from) return undefined
    const ref = parseFrom(from.instruction).ref
    const now = fromDigest(from)
    const was = facts.baselineFromDigest(step, ref)
    if (!was || !now || now === was) return undefined
    return {verdict: 'base-image-changed', evidence: {summary: `${ref}: ${was} → ${now}`, baseImage: {ref, old: was, new: now}}}
  },
}

/** The recorded inputs show a base-image component with another value. */
export const baseImageRecorded: VerdictRule<'base-image-changed'> = {
  name: 'base-image-changed: recorded base image changed',
  decide: ({recorded}) => (recorded?.verdict === 'base-image-changed' ? {verdict: 'base-image-changed', evidence: recorded.evidence} : undefined),
}

export const baseImageChangedAdvice: Advice = (_step, evidence) =>
  `The base image tag now resolves to another digest: pin it (FROM ${evidence.baseImage?.ref ?? 'image'}@sha256:…) and update it deliberately, e.g. with Renovate/Dependabot.`
