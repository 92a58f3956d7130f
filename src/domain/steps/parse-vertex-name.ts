import {INSTRUCTION_KEYWORDS, type Step, type StepKind} from '../model/run.js'

/** What a vertex name says about its step (events.md §1.4 grammar, plus bake's target prefix). */
export type ParsedVertexName = Pick<Step, 'target' | 'platform' | 'stage' | 'index' | 'total' | 'kind' | 'instruction' | 'internal' | 'cacheable'>

const KEYWORDS = new Set<StepKind>(INSTRUCTION_KEYWORDS)

/** `os/arch[/variant]`, optionally `->target` for cross builds. */
const PLATFORM = /^[a-z][a-z0-9]*\/[a-z0-9_]+(?:\/[a-z0-9.]+)?(?:->\S+)?$/
const INDEX = /^(\d+)\/(\d+)$/

/**
 * Collects bake target names from a stream's vertex names. buildx prefixes every name with the
 * target only when several targets are built (`[api internal] …`, `[api] exporting to image`,
 * `[api linux/amd64 deps 2/4] …`), so the unambiguous forms tell us which first tokens are targets.
 */
export function discoverTargets(names: Iterable<string>): Set<string> {
  const targets = new Set<string>()
  for (const name of names) {
    const bracket = splitPrefix(name)
    if (!bracket) continue
    const tokens = bracket.tokens
    const last = tokens[tokens.length - 1]
    if (tokens.length === 1) {
      const t = tokens[0]!
      // `[api] exporting to image`: a single token that is not a platform, an index, internal or auth
      if (t !== 'internal' && t !== 'auth' && !PLATFORM.test(t) && !INDEX.test(t) && !startsWithKeyword(bracket.rest)) targets.add(t)
      continue
    }
    if (last === 'internal' || last === 'auth') {
      // `[api internal]`, `[api linux/amd64 internal]`
      if (!PLATFORM.test(tokens[0]!)) targets.add(tokens[0]!)
      continue
    }
    if (last && INDEX.test(last)) {
      // `[api linux/amd64 deps 2/4]` or `[api deps 2/4]`: three tokens, or two with a platform second
      if (tokens.length >= 3 && !PLATFORM.test(tokens[0]!)) targets.add(tokens[0]!)
      else if (tokens.length === 3 && PLATFORM.test(tokens[1]!)) targets.add(tokens[0]!)
    }
  }
  return targets
}

function splitPrefix(name: string): {tokens: string[]; rest: string} | undefined {
  if (!name.startsWith('[')) return undefined
  const close = name.indexOf(']')
  if (close < 0) return undefined
  const tokens = name.slice(1, close).trim().split(/\s+/).filter(Boolean)
  return {tokens, rest: name.slice(close + 1).trimStart()}
}

function startsWithKeyword(text: string): boolean {
  const word = /^[A-Z]+/.exec(text)?.[0]
  return word !== undefined && KEYWORDS.has(word as StepKind)
}

/**
 * Parses `[linux/arm64 build 4/6] COPY api/ ./api/`, `[api deps 2/4] …`, `[internal] …`, and
 * prefix-less plumbing names. `knownTargets` (from `discoverTargets`) resolves the one ambiguous case,
 * `[X 2/4]`, which is a target in a bake of single-stage Dockerfiles and a stage otherwise.
 */
export function parseVertexName(name: string, knownTargets: ReadonlySet<string> = new Set()): ParsedVertexName {
  const prefix = splitPrefix(name)
  const rest = prefix ? prefix.rest : name.trim()
  const tokens = prefix ? [...prefix.tokens] : []
  const parsed: ParsedVertexName = {kind: 'internal', instruction: rest, internal: true, cacheable: false}

  if (tokens.length && knownTargets.has(tokens[0]!) && (tokens.length > 1 || !INDEX.test(tokens[0]!))) {
    // A lone `[X]` that is a known target, or `[X …]` with more tokens.
    const candidate = tokens[0]!
    const remaining = tokens.slice(1)
    // `[deps 2/4]` where `deps` is also a target name can't be told apart; prefer target only when
    // something else (platform/stage/internal) follows or the name is plumbing.
    if (remaining.length > 0 || !startsWithKeyword(rest)) {
      parsed.target = candidate
      tokens.shift()
    } else if (remaining.length === 0) {
      parsed.target = candidate
      tokens.shift()
    }
  }
  if (tokens.length && PLATFORM.test(tokens[0]!)) parsed.platform = tokens.shift()
  const last = tokens[tokens.length - 1]
  if (last === 'internal' || last === 'auth') {
    return parsed
  }
  const idx = last ? INDEX.exec(last) : null
  if (idx) {
    tokens.pop()
    parsed.index = Number(idx[1])
    parsed.total = Number(idx[2])
  }
  if (tokens.length) parsed.stage = tokens.join(' ')

  let text = rest
  if (text.startsWith('ONBUILD ')) text = text.slice(8)
  const word = /^[A-Z]+/.exec(text)?.[0]
  if (word && KEYWORDS.has(word as StepKind) && (idx || !prefix || parsed.stage !== undefined || parsed.platform !== undefined || parsed.target !== undefined)) {
    parsed.kind = word as StepKind
    parsed.internal = false
    // FROM's `cached` is meaningless (events.md §1.3); LINK is the merge half of `COPY --link`,
    // counted through its COPY.
    parsed.cacheable = parsed.kind !== 'FROM' && parsed.kind !== 'LINK'
  }
  return parsed
}
