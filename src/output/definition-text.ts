import type {FileActionDefinition, InputKind, StepDefinition, StepLocation} from '../domain/provenance/types.js'

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
    lines.push(`command: ${e.args.join(' ')}`)
    const env = Object.entries(e.env).filter(([k]) => k !== 'PATH')
    if (env.length) lines.push(`env: ${env.map(([k, v]) => `${k}=${v}`).join(' ')}`)
    if (e.cwd) lines.push(`cwd: ${e.cwd}`)
    if (e.user) lines.push(`user: ${e.user}`)
    if (e.network) lines.push(`network: ${e.network}`)
    if (e.security) lines.push(`security: ${e.security}`)
    for (const m of e.mounts) {
      if (m.type === 'bind' && m.target === '/') continue
      lines.push(`mount: ${formatMount(m, inputName)}`)
    }
    for (const [k, v] of Object.entries(e.extra ?? {})) lines.push(`${k}: ${v}`)
  }
  for (const a of def.file?.actions ?? []) lines.push(formatFileAction(a, inputName))
  if (def.source) lines.push(`source: ${def.source.identifier}`)
  if (def.other) lines.push(`${def.kind}: ${def.other.slice(0, 200)}`)
  if (def.platform) lines.push(`platform: ${def.platform}`)
  return lines
}

export function formatMount(m: NonNullable<StepDefinition['exec']>['mounts'][number], inputName: (ref: string | undefined) => string = (r) => r ?? 'scratch'): string {
  const parts = [`type=${m.type}`, `target=${m.target}`]
  if (m.cacheId !== undefined) parts.push(`id=${m.cacheId}`)
  if (m.sharing && m.sharing !== 'shared') parts.push(`sharing=${m.sharing}`)
  if (m.id) parts.push(`id=${m.id}`)
  if (m.type === 'bind') parts.push(`from=${inputName(m.source)}${m.selector ? `:${m.selector}` : ''}`)
  if (m.readonly) parts.push('ro')
  return parts.join(',')
}

export function formatFileAction(a: FileActionDefinition, inputName: (ref: string | undefined) => string = (r) => r ?? 'scratch'): string {
  const extra = [
    a.mode ? `mode ${a.mode}` : '',
    a.chown ? `chown ${a.chown}` : '',
    a.include?.length ? `include ${a.include.join(' ')}` : '',
    a.exclude?.length ? `exclude ${a.exclude.join(' ')}` : '',
  ].filter(Boolean).join(', ')
  const tail = extra ? ` (${extra})` : ''
  switch (a.type) {
    case 'copy':
      return `copy: ${a.src} → ${a.dest} from ${inputName(a.from)}${tail}`
    case 'symlink':
      return `symlink: ${a.src} → ${a.dest}`
    default:
      return `${a.type}: ${a.path ?? ''}${a.contentDigest ? ` content ${a.contentDigest.slice(0, 19)}` : ''}${tail}`
  }
}
