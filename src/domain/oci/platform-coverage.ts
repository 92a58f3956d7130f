/** Which platforms a cache can serve: the base images' per-platform root records matched against its records (cache.md §3). */
import type {CacheLayerInfo, CacheRecordInfo, ImageRootMatch, PlatformChainEntry, PlatformCoverage} from './cache-summary.js'
import {COMMON_PLATFORMS, formatPlatform, parsePlatform} from './platform.js'
import {chainIdRootKey, chainIdRootKeyOf, extendChainId, manifestRootKey} from './root-keys.js'
import type {BaseImageInput, SummarizeInput} from './summarize.js'

/** Longest layer chain followed (a loop or a hostile config must not hang the summary). */
export const MAX_CHAIN = 10_000

/** The layers a record's result stands on, following parent links from its top layer. */
export function resultChainFromParents(layers: CacheLayerInfo[], top: number, warnings: string[]): number[] | undefined {
  const chain: number[] = []
  const seen = new Set<number>()
  let at = top
  while (at !== -1) {
    const layer = layers[at]
    if (!layer || seen.has(at) || chain.length > MAX_CHAIN) {
      warnings.push(`a result's layer chain from layer ${top} is broken (${layer ? 'cycle' : `layer ${at} does not exist`}); it cannot be loaded`)
      return undefined
    }
    seen.add(at)
    chain.push(at)
    at = layer.parent
  }
  return chain.reverse()
}

export function matchImageRoots(
  records: CacheRecordInfo[],
  layers: CacheLayerInfo[],
  bases: BaseImageInput[],
  requested: string[] | undefined,
  warnings: string[],
): ImageRootMatch[] {
  const expected = new Map<string, Omit<ImageRootMatch, 'record'>>()
  for (const base of bases) {
    const fetched = base.platforms ?? []
    const candidates = new Set<string>(fetched.map((p) => p.platform))
    for (const p of requested ?? []) candidates.add(p)
    if (fetched.length === 0) for (const p of COMMON_PLATFORMS) candidates.add(p)
    for (const text of candidates) {
      const platform = parsePlatform(text)
      if (!platform) continue
      const name = formatPlatform(platform)
      expected.set(manifestRootKey(base.digest, platform), {kind: 'manifest', platform: name, base: base.ref, baseDigest: base.digest})
    }
    for (const p of fetched) {
      const r1 = p.diffIds && p.diffIds.length > 0 ? chainIdRootKey(p.diffIds) : undefined
      if (r1) expected.set(r1, {kind: 'chainid', platform: p.platform, base: base.ref, baseDigest: base.digest})
    }
  }
  // r1 candidates from the cache's own layer chains: base layers are usually in the cache (cache.md §3 "blob evidence")
  const ownChains = new Map<string, number[]>()
  // the ChainID of the chain ending at a layer extends its parent's: one hash per layer, not one per layer below it
  const chainIds = new Map<number, string>()
  for (const layer of layers) {
    const chain = resultChainFromParents(layers, layer.index, [])
    if (!chain) continue
    const diffIds = chain.map((i) => layers[i]?.diffId)
    if (diffIds.some((d) => !d)) continue
    let id: string | undefined
    chain.forEach((at, k) => {
      const known = chainIds.get(at)
      id = known ?? (id === undefined ? (diffIds[k] as string) : extendChainId(id, diffIds[k] as string))
      if (known === undefined) chainIds.set(at, id)
    })
    const r1 = id === undefined ? undefined : chainIdRootKeyOf(id)
    if (r1 && !ownChains.has(r1)) ownChains.set(r1, chain)
  }

  const matches: ImageRootMatch[] = []
  for (const r of records) {
    if (!r.root) continue
    const hit = expected.get(r.digest)
    if (hit) {
      r.imageRoot = {record: r.index, ...hit}
      matches.push(r.imageRoot)
      continue
    }
    const chain = ownChains.get(r.digest)
    if (chain) {
      r.imageRoot = {record: r.index, kind: 'chainid', layers: chain}
      matches.push(r.imageRoot)
    }
  }
  // a chainID root listed as an alternative next to a manifest root of a known platform has that platform
  for (const r of records) {
    for (const alts of r.inputs) {
      const roots = alts.map((a) => records[a.record]?.imageRoot).filter((m): m is ImageRootMatch => !!m)
      const platformsHere = new Set(roots.map((m) => m.platform).filter((p): p is string => !!p))
      if (platformsHere.size !== 1) continue
      const [platform] = platformsHere
      for (const m of roots) if (!m.platform) m.platform = platform
    }
  }
  const unknownChainRoots = matches.filter((m) => !m.platform).length
  if (unknownChainRoots > 0 && bases.length > 0) warnings.push(`${unknownChainRoots} image root(s) match layer chains in this cache but not the given base images`)
  return matches
}

/**
 * `any`: platform-neutral (content roots, roots of unknown origin, FROM scratch chains);
 * `unknown`: an image root whose platform is not known (ignored next to alternatives that are known);
 * otherwise the set of platforms a record can match for.
 */
type PlatformSet = 'any' | 'unknown' | Set<string>

/**
 * Taint propagation (cache.md §3) with BuildKit's matching rule (§4: every input must match):
 * a root is its image platform, or neutral; a step record matches for the platforms in the
 * intersection over its inputs of the union over each input's alternatives.
 */
function recordPlatforms(records: CacheRecordInfo[]): PlatformSet[] {
  const memo: Array<PlatformSet | undefined> = new Array(records.length)
  const visiting = new Set<number>()
  const resolve = (index: number): PlatformSet => {
    const cached = memo[index]
    if (cached) return cached
    const r = records[index]
    if (!r || visiting.has(index)) return 'any'
    visiting.add(index)
    let result: PlatformSet
    if (r.root) {
      result = r.imageRoot ? (r.imageRoot.platform ? new Set([r.imageRoot.platform]) : 'unknown') : 'any'
    } else {
      result = 'any'
      for (const alts of r.inputs) {
        let union: Set<string> | 'any' | 'unknown' = 'unknown'
        for (const a of alts) {
          const p = resolve(a.record)
          if (p === 'any') {
            union = 'any'
            break
          }
          if (p === 'unknown') continue
          const acc: Set<string> = union === 'unknown' ? new Set<string>() : union
          for (const x of p) acc.add(x)
          union = acc
        }
        if (union === 'any' || union === 'unknown') continue
        result = intersect(result, union)
      }
    }
    visiting.delete(index)
    memo[index] = result
    return result
  }
  return records.map((_, i) => resolve(i))
}

function intersect(a: PlatformSet, b: Set<string>): PlatformSet {
  if (a === 'any' || a === 'unknown') return b
  const out = new Set<string>()
  for (const x of a) if (b.has(x)) out.add(x)
  return out
}

export function platformCoverage(records: CacheRecordInfo[], roots: ImageRootMatch[], input: SummarizeInput): PlatformCoverage[] {
  const children = new Map<number, number[]>()
  for (const r of records) {
    for (const alts of r.inputs) {
      for (const a of alts) {
        const list = children.get(a.record) ?? []
        if (!list.includes(r.index)) list.push(r.index)
        children.set(a.record, list)
      }
    }
  }
  const usable = (r: CacheRecordInfo | undefined): boolean => !!r && r.results.some((x) => x.complete)
  const tainted = recordPlatforms(records)
  const inlineOwn = new Map<string, number[]>()
  for (const r of records) for (const p of r.platforms) inlineOwn.set(p, [...(inlineOwn.get(p) ?? []), r.index])

  const platforms = new Set<string>()
  for (const m of roots) if (m.platform) platforms.add(m.platform)
  for (const p of input.inlinePlatforms ?? []) platforms.add(p)
  for (const b of input.bases ?? []) for (const p of b.platforms ?? []) platforms.add(p.platform)
  for (const p of input.platforms ?? []) {
    const parsed = parsePlatform(p)
    platforms.add(parsed ? formatPlatform(parsed) : p)
  }
  const knowable = roots.some((m) => m.platform) || (input.bases?.length ?? 0) > 0 || (input.inlinePlatforms?.length ?? 0) > 0

  const coverage: PlatformCoverage[] = []
  for (const platform of [...platforms].sort()) {
    const platformRoots = roots.filter((m) => m.platform === platform)
    const member = (i: number): boolean => {
      const t = tainted[i]
      return t instanceof Set && t.has(platform)
    }
    const depth = new Map<number, number>()
    const queue: number[] = []
    for (const m of platformRoots) {
      if (!depth.has(m.record)) {
        depth.set(m.record, 0)
        queue.push(m.record)
      }
    }
    // inline cache without a matched root: the records of that platform's image config are its chain
    if (queue.length === 0 && input.layout === 'inline') {
      for (const i of inlineOwn.get(platform) ?? []) {
        depth.set(i, records[i]?.root ? 0 : 1)
        queue.push(i)
      }
    }
    const viaRoots = platformRoots.length > 0
    for (let i = 0; i < queue.length; i++) {
      const at = queue[i] as number
      for (const child of children.get(at) ?? []) {
        if (depth.has(child) || (viaRoots && !member(child))) continue
        depth.set(child, (depth.get(at) ?? 0) + 1)
        queue.push(child)
      }
    }
    const chain: PlatformChainEntry[] = queue.map((index) => {
      const r = records[index] as CacheRecordInfo
      if (!r.platforms.includes(platform)) r.platforms.push(platform)
      return {record: index, digest: r.digest, depth: depth.get(index) ?? 0, usable: usable(r)}
    })
    const recordsUsable = chain.filter((c) => c.usable).length
    const status: PlatformCoverage['status'] = chain.length === 0 ? 'absent' : recordsUsable > 0 ? 'serves' : 'keys-only'
    if (status === 'absent' && !knowable) continue
    coverage.push({platform, status, roots: platformRoots, chain, recordsReachable: chain.length, recordsUsable})
  }
  for (const r of records) r.platforms.sort()
  return coverage
}
