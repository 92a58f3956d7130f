import type {StepPlan} from '../dockerfile/steps.js'
import type {Run} from '../model/run.js'

const PINNED = /@(sha256:[0-9a-f]{64})$/

/** The images a planned build pulls: the bases of its needed stages and `COPY --from=image` sources. */
export function neededImages(stepPlan: StepPlan): string[] {
  const out = new Set<string>()
  for (const i of stepPlan.needed) {
    const s = stepPlan.stages[i]!
    if (s.base.kind === 'image') out.add(s.base.ref)
    for (const step of s.steps) for (const src of step.sources) if (src.kind === 'image') out.add(src.ref)
  }
  return [...out]
}

/** The digest an image resolved to: pinned in the ref, else the engine's first repo digest. */
export function pickDigest(ref: string, repoDigests: readonly string[]): string | undefined {
  const pinned = PINNED.exec(ref)
  if (pinned) return pinned[1]
  const first = repoDigests[0]
  return first ? first.slice(first.indexOf('@') + 1) : undefined
}

/** `FROM ref@sha256:…` vertex names → {normalized ref: digest}. */
export function baseDigestsFromSteps(run: Run): Map<string, string> {
  const out = new Map<string, string>()
  for (const s of run.steps) {
    if (s.kind !== 'FROM') continue
    const m = /^FROM\s+(\S+)@(sha256:[0-9a-f]{64})/.exec(s.instruction)
    if (m) out.set(normalizeRef(m[1]!), m[2]!)
  }
  return out
}

/** The digest of `ref`: pinned in it, else what the run's FROM vertex names showed. */
export function lookupBaseDigest(digests: ReadonlyMap<string, string>, ref: string): string | undefined {
  return PINNED.exec(ref)?.[1] ?? digests.get(normalizeRef(ref))
}

/** Docker reference normalization: `busybox` → `docker.io/library/busybox:latest`. */
export function normalizeRef(ref: string): string {
  let r = ref.replace(/@sha256:[0-9a-f]{64}$/, '')
  const first = r.split('/')[0]!
  const hasRegistry = r.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
  if (!hasRegistry) r = r.includes('/') ? `docker.io/${r}` : `docker.io/library/${r}`
  const last = r.split('/').at(-1)!
  if (!last.includes(':')) r += ':latest'
  return r
}
