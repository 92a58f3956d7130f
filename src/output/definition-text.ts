import {commandText, fileActionText, mountText} from '../domain/provenance/compare.js'
import type {InputKind, StepDefinition, StepLocation} from '../domain/provenance/types.js'

/** `Dockerfile:12` or `Dockerfile:12-14` */
export function formatStepLocation(location: StepLocation | undefined): string | undefined {
  if (!location) return undefined
  return `${location.file}:${location.startLine}${location.endLine > location.startLine ? `-${location.endLine}` : ''}`
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
