import type {CacheLayout, CacheSummary, PlatformCoverage} from '../domain/oci/cache-summary.js'
import {shortDigest} from '../domain/oci/digest.js'

const LAYOUT_TEXT: Record<CacheLayout, string> = {
  'image-manifest': 'OCI image manifest with cache config (image-manifest=true)',
  'oci-index': 'OCI index of layers + cache config (image-manifest=false)',
  'docker-manifest-list': 'Docker manifest list of layers + cache config (oci-mediatypes=false)',
  inline: 'inline cache in the image config (moby.buildkit.cache.v0)',
  'image-without-cache': 'image without inline cache (BuildKit imports nothing from it)',
}

const STATUS_TEXT: Record<PlatformCoverage['status'], string> = {
  serves: 'serves',
  'keys-only': 'keys only (no usable results)',
  absent: 'not in this cache',
}

/** `1.5 MiB` */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`
}


function trimTime(t: string | undefined): string {
  return t ? t.replace(/\.\d+Z$/, 'Z') : '?'
}

/**
 * Plain-text report of `bakedoctor cache inspect`, one block per ref.
 * @example
 * 127.0.0.1:5000/app/buildcache:min
 *   layout     OCI index of layers + cache config (image-manifest=false)
 *   layers     2 (1.0 MiB), created 2026-11-23T14:07:34Z … 2026-11-23T14:07:35Z
 *   records    16 (7 roots, 1 with results, 16 distinct digests)
 *   mode       min: only the final image chain has results; 8 of 9 step records have none (the mode=min gap)
 *   platforms  linux/amd64
 */
export function renderCacheInspectText(caches: readonly CacheSummary[]): string {
  return caches.map(renderOne).join('\n\n')
}

function renderOne(c: CacheSummary): string {
  const lines: string[] = [c.canonicalRef]
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(10)} ${value}`)
  row('manifest', `${shortDigest(c.manifestDigest)} ${c.manifestMediaType} (${formatBytes(c.manifestSize)})`)
  row('layout', LAYOUT_TEXT[c.layout])
  if (c.config) row('config', `${shortDigest(c.config.digest)} (${formatBytes(c.config.size)})`)
  if (c.inlinePlatforms?.length) row('images', c.inlinePlatforms.join(', '))
  const distinct = new Set(c.layers.items.map((l) => l.digest)).size
  const missing = c.layers.items.filter((l) => !l.present).length
  row(
    'layers',
    `${c.layers.count}${distinct !== c.layers.count ? ` (${distinct} distinct blobs)` : ''}, ${formatBytes(c.layers.totalSize)}` +
      (c.layers.oldest ? `, created ${trimTime(c.layers.oldest)} … ${trimTime(c.layers.newest)}` : '') +
      (missing ? `, ${missing} missing from the manifest` : ''),
  )
  row('records', `${c.records.count} (${c.records.roots} roots, ${c.records.withResults} with results, ${c.records.distinctDigests} distinct digests)`)
  row('mode', `${c.mode.value}: ${c.mode.reason}`)
  if (c.platforms.status === 'unknown') {
    row('platforms', 'unknown')
  } else {
    row('platforms', c.platforms.serves.length ? c.platforms.serves.join(', ') : 'none')
  }
  for (const p of c.platforms.coverage) {
    const roots = p.roots.map((r) => `${r.kind} root #${r.record}`).join(', ')
    lines.push(`    ${p.platform.padEnd(14)} ${STATUS_TEXT[p.status]}` + (p.status === 'absent' ? '' : `: ${p.recordsReachable} records reachable, ${p.recordsUsable} with usable results${roots ? ` (${roots})` : ''}`))
  }
  if (c.platforms.note) lines.push(`    note: ${c.platforms.note}`)
  const unknownRoots = c.imageRoots.filter((r) => !r.platform)
  if (unknownRoots.length) row('roots', `${unknownRoots.length} image root(s) of unknown platform (layer chains ${unknownRoots.map((r) => (r.layers ?? []).map((l) => shortDigest(c.layers.items[l]?.digest ?? '')).join('>')).join(', ')})`)
  for (const w of c.warnings) lines.push(`  warning: ${w}`)
  return lines.join('\n')
}

/**
 * `cache inspect --run`: per cacheable step, whether each ref could have served it.
 * @example
 * Run r3 against 127.0.0.1:5000/app/buildcache:api
 *   HIT   could-serve   [api linux/amd64 deps 2/4] WORKDIR /app
 *   MISS  cannot-serve  [api linux/arm64 deps 2/4] WORKDIR /app — the ref holds no records for linux/arm64 …
 */
export function renderRunCacheCheck(check: import('../domain/results.js').CacheCheckResult): string {
  const lines = [`Run ${check.run} against ${check.refs.join(', ')}`]
  for (const e of check.errors) lines.push(`  could not read ${e.ref}: ${e.message}`)
  for (const s of check.steps) {
    for (const r of s.refs) {
      const reason = r.verdict === 'could-serve' ? '' : ` — ${r.reason}`
      lines.push(`  ${(s.cached ? 'HIT' : 'MISS').padEnd(5)} ${r.verdict.padEnd(13)} ${s.label}${check.refs.length > 1 ? ` (${r.ref})` : ''}${reason}`)
    }
  }
  return lines.join('\n')
}
