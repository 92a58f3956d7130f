import {commandText, fileActionText, mountText} from '../domain/provenance/compare.js'
import type {StepExplanation} from '../domain/explain/types.js'
import type {InputKind, StepDefinition, StepLocation} from '../domain/provenance/types.js'

/** `Dockerfile:12` or `Dockerfile:12-14` */
export function formatStepLocation(location: StepLocation | undefined): string | undefined {
  return location && `${location.file}:${lineRange(location)}`
}

/** `12` or `12-14` */
const lineRange = (location: StepLocation): string => `${location.startLine}${location.endLine > location.startLine ? `-${location.endLine}` : ''}`

/**
 * Where a step is written, `Dockerfile:12` (`services/api/Dockerfile:12-14`): from the build's
 * provenance, else the line the recorded inputs or the recorded Dockerfile give; undefined when
 * neither says (never guessed).
 */
export function whereWritten(step: WrittenStep | undefined): string | undefined {
  const at = placeOf(step)
  return at && `${at.file}:${at.lines}`
}

/** Where several steps are written, one file each: `Dockerfile:3, 8` (a group of root causes). */
export function whereWrittenAll(steps: ReadonlyArray<WrittenStep | undefined>): string | undefined {
  const byFile = new Map<string, Set<string>>()
  for (const at of steps.map(placeOf)) if (at) byFile.set(at.file, (byFile.get(at.file) ?? new Set()).add(at.lines))
  return byFile.size ? [...byFile].map(([file, lines]) => `${file}:${[...lines].sort((x, y) => parseInt(x) - parseInt(y)).join(', ')}`).join('; ') : undefined
}

type WrittenStep = Pick<StepExplanation, 'location' | 'dockerfileLine' | 'dockerfile'>

function placeOf(step: WrittenStep | undefined): {file: string; lines: string} | undefined {
  if (step?.location) return {file: step.location.file, lines: lineRange(step.location)}
  if (step?.dockerfileLine !== undefined) return {file: step.dockerfile ?? 'Dockerfile', lines: String(step.dockerfileLine)}
  return undefined
}

/** The definition of a step, one fact per line, for `show --definitions` and the TUI detail pane. */
export function definitionLines(def: StepDefinition): string[] {
  const lines: string[] = []
  const inputName = (ref: string | undefined): string => {
    if (!ref) return 'scratch'
    const i = Number(ref.replace('input ', ''))
    const kind: InputKind | undefined = def.inputs[i]
    return kind === 'context' ? 'the build context' : kind === 'image' ? 'the base image' : kind === 'step' ? `step input ${i}` : (kind ?? ref)
  }
  if (def.exec) {
    const e = def.exec
    lines.push(`command: ${commandText(e.args)}`)
    const env = Object.entries(e.env).filter(([k]) => k !== 'PATH')
    if (env.length) lines.push(`env: ${env.map(([k, v]) => `${k}=${v}`).join(' ')}`)
    if (e.cwd) lines.push(`cwd: ${e.cwd}`)
    if (e.user) lines.push(`user: ${e.user}`)
    if (e.network) lines.push(`network: ${e.network}`)
    if (e.security) lines.push(`security: ${e.security}`)
    // the root filesystem mount of every RUN says nothing
    for (const m of e.mounts) if (!(m.type === 'bind' && m.target === '/')) lines.push(`mount: ${mountText(m, inputName)}`)
    for (const [k, v] of Object.entries(e.extra ?? {})) lines.push(`${k}: ${v}`)
  }
  for (const a of def.file?.actions ?? []) lines.push(fileActionText(a, inputName))
  if (def.source) lines.push(`source: ${def.source.identifier}`)
  if (def.other) lines.push(`${def.kind}: ${def.other.slice(0, 200)}`)
  if (def.platform) lines.push(`platform: ${def.platform}`)
  return lines
}
