/** One LLB op of a provenance's build definition → the step definition bakedoctor stores (exec, mounts, file actions, platform). */
import {InputError} from '../errors.js'
import {canonicalJson, sha256} from './canonical.js'
import type {ProvenanceLimits} from './parse-provenance.js'
import type {ProvenanceRedactor} from './redact.js'
import type {DefinitionMount, FileActionDefinition, InputKind, StepDefinition} from './types.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
/** what to do about a provenance that is not as BuildKit writes it */
export const FIX = 'pass the provenance exactly as BuildKit wrote it (an in-toto statement, or the predicate of a `.dockerbuild` record or metadata file)'
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export function inputKind(op: Obj | undefined): InputKind {
  const source = op && isObj(op.Op) && isObj(op.Op.source) ? op.Op.source : undefined
  const id = str(source?.identifier)
  if (!id) return op ? 'step' : 'scratch'
  if (id.startsWith('local://')) return 'context'
  if (id.startsWith('docker-image://') || id.startsWith('oci-layout://')) return 'image'
  if (id.startsWith('git://')) return 'git'
  if (id.startsWith('http://') || id.startsWith('https://')) return 'http'
  return 'step'
}

export const MOUNT_TYPES = ['bind', 'secret', 'ssh', 'cache', 'tmpfs'] as const
export const SHARING = ['shared', 'private', 'locked'] as const
export const NETWORK = ['sandbox', 'host', 'none'] as const
export const SECURITY = ['sandbox', 'insecure'] as const

/** proto enums come as numbers (gogo JSON) or names (newer marshallers) */
export function enumName<T extends string>(value: unknown, names: readonly T[], fallback: T): T {
  if (typeof value === 'number') return names[value] ?? fallback
  if (typeof value === 'string') {
    const lower = value.toLowerCase() as T
    return names.includes(lower) ? lower : fallback
  }
  return fallback
}

export function normalizeOp(op: Obj, inputs: InputKind[], redactor: ProvenanceRedactor, limits: ProvenanceLimits, id: string, entry: string | undefined): StepDefinition {
  const body = op.Op as Obj
  const platform = formatPlatform(op.platform)
  const def: StepDefinition = {kind: 'other', inputs}
  if (platform) def.platform = platform
  const tooMany = (what: string, n: number) => {
    if (n > limits.maxItemsPerStep) throw new InputError(`${id} has ${n} ${what}, more than the ${limits.maxItemsPerStep} limit`, {position: {entry}, fix: FIX})
  }
  const inputName = (i: unknown): string | undefined => (typeof i === 'number' && i >= 0 ? `input ${i}` : undefined)

  if (isObj(body.exec)) {
    def.kind = 'exec'
    const exec = body.exec
    const meta = isObj(exec.meta) ? exec.meta : {}
    const args = (Array.isArray(meta.args) ? meta.args : []).map((a) => redactor.text(String(a)))
    const envList = Array.isArray(meta.env) ? meta.env : []
    tooMany('args', args.length)
    tooMany('env entries', envList.length)
    const env: Record<string, string> = {}
    for (const e of envList) {
      if (typeof e !== 'string') continue
      const eq = e.indexOf('=')
      const name = eq >= 0 ? e.slice(0, eq) : e
      env[name] = redactor.value(name, eq >= 0 ? e.slice(eq + 1) : '')
    }
    const rawMounts = Array.isArray(exec.mounts) ? exec.mounts : []
    tooMany('mounts', rawMounts.length)
    const mounts: DefinitionMount[] = []
    for (const m of rawMounts) {
      if (!isObj(m)) continue
      const type = enumName(m.mountType, MOUNT_TYPES, 'bind')
      const mount: DefinitionMount = {type, target: String(m.dest ?? '')}
      const source = inputName(m.input)
      if (source) mount.source = source
      if (typeof m.selector === 'string' && m.selector) mount.selector = m.selector
      if (m.readonly === true) mount.readonly = true
      const cacheOpt = isObj(m.cacheOpt) ? m.cacheOpt : undefined
      if (type === 'cache' && cacheOpt) {
        mount.cacheId = String(cacheOpt.ID ?? cacheOpt.id ?? '')
        mount.sharing = enumName(cacheOpt.sharing, SHARING, 'shared')
      }
      const idOpt = isObj(m.secretOpt) ? m.secretOpt : isObj(m.SSHOpt) ? m.SSHOpt : isObj(m.sshOpt) ? m.sshOpt : undefined
      if (idOpt && typeof idOpt.ID === 'string') mount.id = idOpt.ID
      mounts.push(mount)
    }
    def.exec = {args, env, mounts}
    if (typeof meta.cwd === 'string') def.exec.cwd = meta.cwd
    if (typeof meta.user === 'string' && meta.user) def.exec.user = meta.user
    const network = enumName(exec.network, NETWORK, 'sandbox')
    if (network !== 'sandbox') def.exec.network = network
    const security = enumName(exec.security, SECURITY, 'sandbox')
    if (security !== 'sandbox') def.exec.security = security
    const extra: Record<string, string> = {}
    for (const k of ['hostname', 'extraHosts', 'ulimit', 'cgroupParent', 'validExitCodes', 'proxy_env']) {
      if (meta[k] !== undefined && meta[k] !== '' && meta[k] !== null) extra[k] = redactor.text(canonicalJson(meta[k]))
    }
    if (exec.secretenv !== undefined) extra.secretenv = canonicalJson(exec.secretenv)
    if (Object.keys(extra).length) def.exec.extra = extra
    return def
  }
  if (isObj(body.file)) {
    def.kind = 'file'
    const rawActions = Array.isArray(body.file.actions) ? body.file.actions : []
    tooMany('file actions', rawActions.length)
    def.file = {actions: rawActions.filter(isObj).map((a) => fileAction(a, inputName, redactor))}
    return def
  }
  if (isObj(body.source)) {
    def.kind = 'source'
    const identifier = redactor.text(String(body.source.identifier ?? ''))
    const attrs: Record<string, string> = {}
    if (isObj(body.source.attrs)) {
      for (const [k, v] of Object.entries(body.source.attrs)) {
        // volatile: a new session id every build (BuildKit strips them too, older versions may not)
        if (k === 'local.session' || k === 'local.unique' || typeof v !== 'string') continue
        attrs[k] = redactor.text(v)
      }
    }
    def.source = {identifier, attrs}
    const image = /^docker-image:\/\/([^@]+)(?:@(sha256:[0-9a-f]{64}))?$/.exec(identifier)
    if (image) {
      def.source.ref = image[1]
      if (image[2]) def.source.digest = image[2]
    }
    return def
  }
  for (const kind of ['build', 'merge', 'diff'] as const) {
    if (body[kind] !== undefined) {
      def.kind = kind
      def.other = redactor.text(canonicalJson(body[kind]))
      return def
    }
  }
  def.other = redactor.text(canonicalJson(body))
  return def
}

export function fileAction(a: Obj, inputName: (i: unknown) => string | undefined, redactor: ProvenanceRedactor): FileActionDefinition {
  const wrapper = isObj(a.Action) ? a.Action : a
  const secondary = inputName(a.secondaryInput)
  if (isObj(wrapper.copy)) {
    const c = wrapper.copy
    const action: FileActionDefinition = withModeAndOwner({type: 'copy', src: String(c.src ?? ''), dest: String(c.dest ?? '')}, c)
    if (secondary) action.from = secondary
    if (Array.isArray(c.includePatterns) && c.includePatterns.length) action.include = c.includePatterns.map(String)
    if (Array.isArray(c.excludePatterns) && c.excludePatterns.length) action.exclude = c.excludePatterns.map(String)
    const flags = ['followSymlink', 'dirCopyContents', 'attemptUnpackDockerCompatibility', 'createDestPath', 'allowWildcard', 'allowEmptyWildcard', 'alwaysReplaceExistingDestPaths', 'parents']
      .filter((f) => c[f] === true)
    if (flags.length) action.flags = flags
    return action
  }
  if (isObj(wrapper.mkdir)) {
    const m = wrapper.mkdir
    const action = withModeAndOwner({type: 'mkdir', path: String(m.path ?? '')}, m)
    if (m.makeParents === true) action.flags = ['makeParents']
    return action
  }
  if (isObj(wrapper.mkfile)) {
    const m = wrapper.mkfile
    const action = withModeAndOwner({type: 'mkfile', path: String(m.path ?? '')}, m)
    if (typeof m.data === 'string') action.contentDigest = `sha256:${sha256(m.data)}`
    return action
  }
  if (isObj(wrapper.rm)) {
    const r = wrapper.rm
    const action: FileActionDefinition = {type: 'rm', path: String(r.path ?? '')}
    const flags = ['allowNotFound', 'allowWildcard'].filter((f) => r[f] === true)
    if (flags.length) action.flags = flags
    return action
  }
  if (isObj(wrapper.symlink)) {
    const s = wrapper.symlink
    return {type: 'symlink', src: String(s.oldpath ?? s.oldPath ?? ''), dest: String(s.newpath ?? s.newPath ?? '')}
  }
  return {type: 'copy', src: redactor.text(canonicalJson(wrapper))}
}

/** `mode` (octal, -1 = unset) and `owner` of a copy/mkdir/mkfile action */
export function withModeAndOwner(action: FileActionDefinition, raw: Obj): FileActionDefinition {
  const mode = fileMode(raw.mode)
  if (mode) action.mode = mode
  const chown = owner(raw.owner)
  if (chown) action.chown = chown
  return action
}

export function fileMode(mode: unknown): string | undefined {
  return typeof mode === 'number' && mode >= 0 ? mode.toString(8).padStart(4, '0') : undefined
}

export function owner(o: unknown): string | undefined {
  if (!isObj(o)) return undefined
  const side = (x: unknown): string | undefined => {
    if (!isObj(x)) return undefined
    const user = isObj(x.User) ? x.User : x
    if (typeof user.ByName === 'object' && isObj(user.ByName)) return String(user.ByName.Name ?? user.ByName.name ?? '')
    if (typeof user.ByID === 'number') return String(user.ByID)
    if (typeof user.byName === 'object' && isObj(user.byName)) return String(user.byName.name ?? '')
    if (typeof user.byID === 'number') return String(user.byID)
    return undefined
  }
  const u = side(o.user)
  const g = side(o.group)
  return u || g ? `${u ?? ''}${g !== undefined ? `:${g}` : ''}` : undefined
}

export function formatPlatform(p: unknown): string | undefined {
  if (!isObj(p)) return undefined
  const os = str(p.OS) ?? str(p.os)
  const arch = str(p.Architecture) ?? str(p.architecture)
  if (!os || !arch) return undefined
  const variant = str(p.Variant) ?? str(p.variant)
  return `${os}/${arch}${variant ? `/${variant}` : ''}`
}
