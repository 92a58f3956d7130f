/**
 * Which context files a COPY/ADD source matches (Docker/BuildKit rules): sources are relative to the
 * context root (a leading `/` or `./` is dropped); a source with `*`, `?` or `[` is a Go
 * `filepath.Match` pattern matched against whole paths; a matched directory brings everything below it.
 * Pure: works on the list of context entries the adapter walked.
 */

export interface ContextEntry {
  /** context-relative POSIX path, no leading `./` */
  path: string
  type: 'file' | 'dir' | 'symlink'
  /** `sha256:<hex>` over mode + content (files) or mode + link target (symlinks); '' for directories */
  hash: string
  /** permission bits */
  mode: number
  size: number
}

export function cleanSource(src: string): string {
  const parts: string[] = []
  for (const part of src.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') parts.pop()
    else parts.push(part)
  }
  return parts.join('/')
}

export function hasWildcard(src: string): boolean {
  return /[*?[]/.test(src)
}

/** Go `filepath.Match` as a RegExp: `*` and `?` never cross `/`; `[...]`, `[^...]`, `\x` escapes. */
export function goPatternToRegExp(pattern: string): RegExp {
  let re = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!)
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2)
      if (end < 0) {
        re += '\\['
        continue
      }
      let body = pattern.slice(i + 1, end)
      let negate = false
      if (body.startsWith('^') || body.startsWith('!')) {
        negate = true
        body = body.slice(1)
      }
      re += `[${negate ? '^/' : ''}${body.replace(/\\/g, '\\\\').replace(/]/g, '\\]')}]`
      i = end
    } else re += escapeRe(c)
  }
  return new RegExp(re + '$', 's')
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/**
 * The file and symlink entries a list of sources brings into the step, sorted by path, each once.
 * Returns also the sources that matched nothing (BuildKit fails the build on those, unless wildcards).
 */
export function resolveSources(entries: readonly ContextEntry[], sources: readonly string[]): {matched: ContextEntry[]; unmatched: string[]} {
  const picked = new Map<string, ContextEntry>()
  const unmatched: string[] = []
  for (const source of sources) {
    const clean = cleanSource(source)
    let roots: string[]
    if (clean === '') roots = ['']
    else if (hasWildcard(clean)) {
      const re = goPatternToRegExp(clean)
      roots = entries.filter((e) => re.test(e.path)).map((e) => e.path)
    } else roots = entries.some((e) => e.path === clean || e.path.startsWith(clean + '/')) ? [clean] : []
    if (roots.length === 0) {
      unmatched.push(source)
      continue
    }
    for (const root of roots) {
      for (const e of entries) {
        if (e.type === 'dir') continue
        if (root === '' || e.path === root || e.path.startsWith(root + '/')) picked.set(e.path, e)
      }
    }
  }
  return {matched: [...picked.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), unmatched}
}
