import type {Step} from '../model/run.js'
import type {Evidence, Verdict} from './types.js'

/** One concrete advice line per verdict, specialised by what the evidence shows. */
export function adviceFor(verdict: Verdict, step: Step, evidence: Evidence): string | undefined {
  switch (verdict) {
    case 'context-changed': {
      const copiesEverything = /^(COPY|ADD)\s+(--\S+\s+)*\.\s/.test(step.instruction)
      if (copiesEverything) {
        return 'Copy dependency manifests (e.g. package*.json, lock files) and install before `COPY . .`, so source edits do not re-run installs; list files that do not belong in the image in .dockerignore.'
      }
      return 'If these files do not affect the image, add them to .dockerignore; otherwise COPY rarely-changing files in an earlier step than frequently edited ones.'
    }
    case 'arg-changed':
      return `An ARG reaches every later RUN of its stage: declare ${evidence.args?.map((a) => a.name).join(', ') || 'the ARG'} right before the instruction that uses it (below the expensive RUNs), or keep its value stable between builds.`
    case 'base-image-changed':
      return `The base image tag now resolves to another digest: pin it (FROM ${evidence.baseImage?.ref ?? 'image'}@sha256:…) and update it deliberately, e.g. with Renovate/Dependabot.`
    case 'instruction-changed':
      return 'Editing an instruction invalidates it and every step after it: keep often-edited instructions late in the stage.'
    case 'cache-unavailable': {
      const reasons = evidence.cache?.reasons.join(' ') ?? ''
      if (/lacks|platform|overwrit/i.test(reasons) || step.platform) {
        return 'The cache for this platform was not served: export per-platform cache refs (cache-to type=registry,ref=…:cache-<arch>,mode=max and cache-from both refs) or export all platforms in one multi-platform build with mode=max.'
      }
      return 'Nothing this step depends on changed, yet it missed: check that cache-from names a ref the build can read and that cache-to uses mode=max so intermediate stages are exported.'
    }
    case 'no-cache':
      return 'The plan disables the cache for this step: drop no-cache / no-cache-filter from routine builds.'
    case 'new-step':
      return undefined
    case 'platform-changed':
      return 'The baseline did not build this platform; its first build on this platform always runs.'
    case 'failed':
      return 'Fix the failure: a failed step is never cached.'
    case 'upstream-invalidated':
      return undefined
  }
}
