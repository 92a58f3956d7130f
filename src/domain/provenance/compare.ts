import {shortDigest} from '../oci/digest.js'
import {canonicalJson} from './canonical.js'
import type {DefinitionMount, FileActionDefinition, StepDefinition} from './types.js'

/** One field of a definition that differs between two runs. Secret values are never shown. */
export type DefinitionChange =
  | {field: 'env'; name: string; old?: string; new?: string; secret?: boolean}
  | {field: 'command'; old: string; new: string}
  | {field: 'cwd' | 'user' | 'network' | 'security' | 'platform' | 'kind'; old?: string; new?: string}
  | {field: 'mount'; target: string; old?: string; new?: string}
  | {field: 'file'; index: number; old?: string; new?: string}
  | {field: 'source'; old?: string; new?: string; ref?: string; oldDigest?: string; newDigest?: string}
  | {field: 'inputs'; old: string; new: string}
  | {field: 'other'; name: string; old?: string; new?: string}

const SECRET = /^secret:[0-9a-f]{16}$/

/**
 * The field-by-field difference of a step's definition in two runs: each changed env value, the
 * command, cwd/user/network/security, each mount by target, each file action, the source.
 * `ignorePlatform`: compare a step with its twin on another platform.
 */
export function compareDefinitions(old: StepDefinition, now: StepDefinition, options: {ignorePlatform?: boolean} = {}): DefinitionChange[] {
  const out: DefinitionChange[] = []
  if (old.kind !== now.kind) return [{field: 'kind', old: old.kind, new: now.kind}]
  if (!options.ignorePlatform && old.platform !== now.platform) out.push({field: 'platform', old: old.platform, new: now.platform})
  if (old.inputs.join(',') !== now.inputs.join(',')) out.push({field: 'inputs', old: old.inputs.join(', '), new: now.inputs.join(', ')})
  if (old.exec && now.exec) {
    const a = old.exec
    const b = now.exec
    for (const name of unionKeys(a.env, b.env)) {
      const o = a.env[name]
      const n = b.env[name]
      if (o === n) continue
      if ((o && SECRET.test(o)) || (n && SECRET.test(n))) out.push({field: 'env', name, secret: true})
      else out.push({field: 'env', name, old: o, new: n})
    }
    if (canonicalJson(a.args) !== canonicalJson(b.args)) out.push({field: 'command', old: commandText(a.args), new: commandText(b.args)})
    for (const f of ['cwd', 'user', 'network', 'security'] as const) if (a[f] !== b[f]) out.push({field: f, old: a[f], new: b[f]})
    const mountsA = new Map(a.mounts.map((m) => [m.target, m]))
    const mountsB = new Map(b.mounts.map((m) => [m.target, m]))
    for (const target of new Set([...mountsA.keys(), ...mountsB.keys()])) {
      const o = mountsA.get(target)
      const n = mountsB.get(target)
      if (o && n && canonicalJson(o) === canonicalJson(n)) continue
      out.push({field: 'mount', target, old: o ? mountText(o) : undefined, new: n ? mountText(n) : undefined})
    }
    for (const name of unionKeys(a.extra ?? {}, b.extra ?? {})) {
      if (a.extra?.[name] !== b.extra?.[name]) out.push({field: 'other', name, old: a.extra?.[name], new: b.extra?.[name]})
    }
  }
  if (old.file && now.file) {
    const n = Math.max(old.file.actions.length, now.file.actions.length)
    for (let i = 0; i < n; i++) {
      const o = old.file.actions[i]
      const x = now.file.actions[i]
      if (o && x && canonicalJson(o) === canonicalJson(x)) continue
      out.push({field: 'file', index: i, old: o ? fileActionText(o) : undefined, new: x ? fileActionText(x) : undefined})
    }
  }
  if (old.source && now.source && canonicalJson(old.source) !== canonicalJson(now.source)) {
    out.push({field: 'source', old: old.source.identifier, new: now.source.identifier, ref: now.source.ref ?? old.source.ref, oldDigest: old.source.digest, newDigest: now.source.digest})
  }
  if (old.other !== now.other) out.push({field: 'other', name: now.kind, old: old.other, new: now.other})
  return out
}

/** The same definition on another platform (a multi-platform build's twin step). */
export function sameBesidesPlatform(a: StepDefinition, b: StepDefinition): boolean {
  return canonicalJson({...a, platform: undefined}) === canonicalJson({...b, platform: undefined})
}

export function commandText(args: readonly string[]): string {
  // `/bin/sh -c <script>`: the script is what the Dockerfile says
  return args.length === 3 && /(^|\/)(ba|da)?sh$/.test(args[0]!) && args[1] === '-c' ? args[2]! : args.join(' ')
}

/** How an `input N` reference reads: `input 1`, or a presenter's name for it (`the build context`). */
export type InputNamer = (ref: string | undefined) => string
const plainInput: InputNamer = (ref) => ref ?? 'scratch'

export function mountText(m: DefinitionMount, inputName: InputNamer = plainInput): string {
  const parts = [`type=${m.type}`, `target=${m.target}`]
  if (m.cacheId !== undefined) parts.push(`id=${m.cacheId}`)
  if (m.sharing && m.sharing !== 'shared') parts.push(`sharing=${m.sharing}`)
  if (m.id) parts.push(`id=${m.id}`)
  if (m.type === 'bind' && m.source) parts.push(`from=${inputName(m.source)}${m.selector ? `:${m.selector}` : ''}`)
  if (m.readonly) parts.push('ro')
  return parts.join(',')
}

export function fileActionText(a: FileActionDefinition, inputName: InputNamer = plainInput): string {
  const extra = [
    a.mode ? `mode ${a.mode}` : '',
    a.chown ? `chown ${a.chown}` : '',
    a.include?.length ? `include ${a.include.join(' ')}` : '',
    a.exclude?.length ? `exclude ${a.exclude.join(' ')}` : '',
  ].filter(Boolean).join(', ')
  const tail = extra ? ` (${extra})` : ''
  if (a.type === 'copy') return `copy ${a.src} → ${a.dest}${a.from ? ` from ${inputName(a.from)}` : ''}${tail}`
  if (a.type === 'symlink') return `symlink ${a.src} → ${a.dest}`
  return `${a.type} ${a.path ?? ''}${a.contentDigest ? ` content ${shortDigest(a.contentDigest)}` : ''}${tail}`
}

/** One line per change, for evidence and the run diff. */
export function changeText(c: DefinitionChange): string {
  switch (c.field) {
    case 'env':
      return c.secret ? `${c.name}: changed` : `${c.name}: ${c.old ?? '(unset)'} → ${c.new ?? '(unset)'}`
    case 'command':
      return `command: ${c.old} → ${c.new}`
    case 'mount':
      return c.old && c.new ? `mount ${c.target}: ${c.old} → ${c.new}` : c.new ? `mount added: ${c.new}` : `mount removed: ${c.old}`
    case 'file':
      return c.old && c.new ? `${c.old} → ${c.new}` : c.new ? `added ${c.new}` : `removed ${c.old}`
    case 'source':
      return `${c.ref ?? 'source'}: ${c.oldDigest ?? c.old ?? '(none)'} → ${c.newDigest ?? c.new ?? '(none)'}`
    case 'other':
      return `${c.name}: ${c.old ?? '(none)'} → ${c.new ?? '(none)'}`
    default:
      return `${c.field}: ${c.old ?? '(none)'} → ${c.new ?? '(none)'}`
  }
}

function unionKeys(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
}

/** Definition changes as run-diff input rows (env values, mounts, base image, the rest as instruction fields). */
export function definitionInputChanges(old: StepDefinition, now: StepDefinition): {kind: 'env' | 'mount' | 'base-image' | 'instruction' | 'platform'; name: string; old?: string; new?: string}[] {
  return compareDefinitions(old, now).map((c) => {
    switch (c.field) {
      case 'env':
        return {kind: 'env', name: c.name, old: c.secret ? 'secret' : c.old, new: c.secret ? 'changed' : c.new}
      case 'mount':
        return {kind: 'mount', name: c.target, old: c.old, new: c.new}
      case 'source':
        return {kind: 'base-image', name: c.ref ?? '', old: c.oldDigest ?? c.old, new: c.newDigest ?? c.new}
      case 'platform':
        return {kind: 'platform', name: '', old: c.old, new: c.new}
      case 'file':
        return {kind: 'instruction', name: `file action ${c.index + 1}`, old: c.old, new: c.new}
      case 'other':
        return {kind: 'instruction', name: c.name, old: c.old, new: c.new}
      default:
        return {kind: 'instruction', name: c.field, old: c.old, new: c.new}
    }
  })
}
