import {createHash} from 'node:crypto'
import type {Explanation, RootCause} from '../domain/explain/types.js'
import {formatDuration} from '../lib/format.js'

/**
 * PR annotations: each root cause that has a Dockerfile line becomes a message on that line, so the
 * reason for a miss shows where it was caused. GitHub workflow commands (`::warning file=…,line=…`)
 * and GitLab's code-quality report. Root causes without a line are counted, not placed.
 */

/** A root cause with the target and platform of its step (a gate's root causes carry them; `placedCauses` adds them to an explanation's). */
type PlacedCause = RootCause & {target?: string; platform?: string}

/** An explanation's root causes with their steps' target and platform, for the annotation order. */
export function placedCauses(ex: Pick<Explanation, 'rootCauses' | 'steps'>): PlacedCause[] {
  const stepByKey = new Map(ex.steps.map((s) => [s.key, s]))
  return ex.rootCauses.map((c) => ({...c, target: stepByKey.get(c.key)?.target, platform: stepByKey.get(c.key)?.platform}))
}

const collator = new Intl.Collator()

/**
 * Annotations go in the one step order (domain/model/step-order.ts): target, platform, then the
 * Dockerfile line, which within one target's Dockerfile is the stage order and the index.
 */
function inStepOrder(causes: readonly PlacedCause[]): PlacedCause[] {
  return causes
    .filter((c) => c.dockerfile)
    .sort((a, b) => collator.compare(a.target ?? '', b.target ?? '') || collator.compare(a.platform ?? '', b.platform ?? '') || collator.compare(a.dockerfile!.file, b.dockerfile!.file) || a.dockerfile!.line - b.dockerfile!.line)
}

/** GitHub workflow-command escaping: data escapes % CR LF; property values also : and , */
const ghData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
const ghProperty = (s: string) => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')

const message = (c: RootCause) =>
  `${c.label}\n${c.summary}\ninvalidated ${c.invalidatedSteps} step${c.invalidatedSteps === 1 ? '' : 's'}, ${formatDuration(c.invalidatedMs)}${c.advice ? `\nadvice: ${c.advice}` : ''}`

/** `::warning file=Dockerfile,line=12,title=bakedoctor: arg-changed::…` per placed root cause. */
export function renderGithubAnnotations(rootCauses: readonly PlacedCause[], options: {headline?: {text: string; failed: boolean}} = {}): string {
  const lines: string[] = []
  if (options.headline) lines.push(`::${options.headline.failed ? 'error' : 'notice'} title=${ghProperty('bakedoctor gate')}::${ghData(options.headline.text)}`)
  const placed = inStepOrder(rootCauses)
  for (const c of placed) {
    lines.push(`::warning file=${ghProperty(c.dockerfile!.file)},line=${c.dockerfile!.line},title=${ghProperty(`bakedoctor: ${c.verdict}`)}::${ghData(message(c))}`)
  }
  const unplaced = rootCauses.length - placed.length
  if (unplaced) lines.push(`::notice title=${ghProperty('bakedoctor')}::${unplaced} root cause${unplaced === 1 ? ' has' : 's have'} no Dockerfile line (record provenance or build with bakedoctor build): see bakedoctor explain`)
  if (!lines.length) lines.push(`::notice title=${ghProperty('bakedoctor')}::no root causes to annotate`)
  return lines.join('\n')
}

/** GitLab code-quality JSON (artifacts: reports: codequality): one issue per placed root cause. */
export function renderCodeQuality(rootCauses: readonly PlacedCause[]): string {
  const issues = inStepOrder(rootCauses).map((c) => ({
    type: 'issue',
    check_name: `bakedoctor/${c.verdict}`,
    description: `${c.verdict}: ${c.summary} (invalidated ${c.invalidatedSteps} step${c.invalidatedSteps === 1 ? '' : 's'}, ${formatDuration(c.invalidatedMs)})`,
    content: {body: `${c.label}${c.advice ? `\n\nAdvice: ${c.advice}` : ''}`},
    categories: ['Performance'],
    severity: c.verdict === 'failed' ? 'major' : 'minor',
    // stable across runs for the same cause on the same step, so GitLab can tell new from fixed
    fingerprint: createHash('sha256').update(`${c.verdict}\u0000${c.key}\u0000${c.dockerfile!.file}`).digest('hex').slice(0, 32),
    location: {path: c.dockerfile!.file, lines: {begin: c.dockerfile!.line}},
  }))
  return JSON.stringify(issues, null, 2)
}
