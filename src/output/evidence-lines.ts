/**
 * The one evidence renderer (docs/architecture.md, "Presenters, results and errors"): what a
 * verdict's evidence says beyond its one-line summary, as lines. Text, markdown, the HTML report,
 * the TUI detail pane and its diff pane all print these lines (the TUI colours them by `tone`);
 * `--json` prints the evidence itself. A new kind of evidence is rendered here once.
 */
import type {Evidence} from '../domain/explain/types.js'

/** Which part of the evidence a line comes from (the TUI diff pane lists the changed inputs). */
export type EvidenceKind = 'arg' | 'file' | 'base-image' | 'instruction' | 'platforms' | 'root' | 'cache' | 'log' | 'missing'

/** How a line reads: a change (and its direction), a failure, something not known. */
export type EvidenceTone = 'changed' | 'added' | 'removed' | 'error' | 'unknown' | 'plain'

export interface EvidenceLine {
  kind: EvidenceKind
  text: string
  tone: EvidenceTone
}

/** Output lines of a failed step that the evidence shows (a log view may show more). */
export const EVIDENCE_LOG_LINES = 5

export interface EvidenceContext {
  /** the key of the step the evidence is about: a root that is the step itself is not printed */
  self?: string
  /** the label of a root-cause step in the run (undefined: not in this run) */
  rootLabel?: (key: string) => string | undefined
  /** keep the lines the summary already says (a list of changed inputs across steps wants them all) */
  withSummarised?: boolean
}

/**
 * The evidence as lines, in a fixed order: changed args, files, base image, instruction, platforms,
 * the root cause of a cascade, what is known about the cache, the failure's last output lines, what
 * is not known. A line the summary already says is left out (the summary is printed before them),
 * unless `withSummarised`.
 */
export function evidenceItems(ev: Evidence | undefined, context: EvidenceContext = {}): EvidenceLine[] {
  if (!ev) return []
  const lines: EvidenceLine[] = []
  const add = (kind: EvidenceKind, text: string, tone: EvidenceTone = 'plain') => {
    if (context.withSummarised || !ev.summary.includes(text)) lines.push({kind, text, tone})
  }
  for (const a of ev.args ?? []) add('arg', a.secret ? `${a.name}: changed (secret value not shown)` : `${a.name}: ${a.old ?? '(unset)'} → ${a.new ?? '(unset)'}`, 'changed')
  for (const f of ev.files ?? []) add('file', `${f.change} ${f.path}`, f.change === 'modified' ? 'changed' : f.change)
  if (ev.baseImage) {
    const b = ev.baseImage
    add('base-image', b.oldRef ? `${b.oldRef}@${b.old ?? '?'} → ${b.ref}@${b.new ?? '?'}` : `${b.ref}: ${b.old ?? '?'} → ${b.new ?? '?'}`, 'changed')
  }
  if (ev.instruction) add('instruction', ev.instruction.diff ? `diff: ${ev.instruction.diff}` : `instruction: ${ev.instruction.old} → ${ev.instruction.new}`, 'changed')
  if (ev.platforms) add('platforms', `platforms: run ${ev.platforms.run.join(', ') || '-'}; baseline ${ev.platforms.baseline.join(', ') || '-'}`)
  if (ev.root !== undefined && ev.root !== context.self) {
    const label = context.rootLabel?.(ev.root)
    add('root', label ? `root cause: ${label}` : `root cause: ${ev.root} (not in this run)`)
  }
  for (const r of ev.cache?.reasons ?? []) add('cache', `cache: ${r}`)
  for (const l of ev.error?.logTail.slice(-EVIDENCE_LOG_LINES) ?? []) add('log', `| ${l}`, 'error')
  for (const m of ev.missing ?? []) add('missing', `not known: ${m}`, 'unknown')
  return lines
}

/** The evidence beyond its summary as plain lines (text, markdown, HTML). */
export function evidenceLines(ev: Evidence | undefined, context: EvidenceContext = {}): string[] {
  return evidenceItems(ev, context).map((l) => l.text)
}
