import {createHash} from 'node:crypto'
import type {RootCause} from '../domain/explain/types.js'
import {formatDuration} from '../lib/format.js'

/**
 * PR annotations: each root cause that has a Dockerfile line becomes a message on that line, so the
 * reason for a miss shows where it was caused. GitHub workflow commands (`::warning file=…,line=…`)
 * and GitLab's code-quality report. Root causes without a line are counted, not placed.
 */

/** GitHub workflow-command escaping: data escapes % CR LF; property values also : and , */
const ghData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
const ghProperty = (s: string) => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')

const message = (c: RootCause) =>
  `${c.label}\n${c.summary}\ninvalidated ${c.invalidatedSteps} step${c.invalidatedSteps === 1 ? '' : 's'}, ${formatDuration(c.invalidatedMs)}${c.advice ? `\nadvice: ${c.advice}` : ''}`

/** `::warning file=Dockerfile,line=12,title=bakedoctor: arg-changed::…` per placed root cause. */
export function renderGithubAnnotations(rootCauses: readonly RootCause[], options: {headline?: {text: string; failed: boolean}} = {}): string {
  const lines: string[] = []
  if (options.headline) lines.push(`::${options.headline.failed ? 'error' : 'notice'} title=${ghProperty('bakedoctor gate')}::${ghData(options.headline.text)}`)
  const placed = rootCauses.filter((c) => c.dockerfile)
  for (const c of placed) {
    lines.push(`::warning file=${ghProperty(c.dockerfile!.file)},line=${c.dockerfile!.line},title=${ghProperty(`bakedoctor: ${c.verdict}`)}::${ghData(message(c))}`)
  }
  const unplaced = rootCauses.length - placed.length
  if (unplaced) lines.push(`::notice title=${ghProperty('bakedoctor')}::${unplaced} root cause${unplaced === 1 ? ' has' : 's have'} no Dockerfile line (record provenance or build with bakedoctor build): see bakedoctor explain`)
  if (!lines.length) lines.push(`::notice title=${ghProperty('bakedoctor')}::no root causes to annotate`)
  return lines.join('\n')
}

/** GitLab code-quality JSON (artifacts: reports: codequality): one issue per placed root cause. */
export function renderCodeQuality(rootCauses: readonly RootCause[]): string {
  const issues = rootCauses.filter((c) => c.dockerfile).map((c) => ({
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
