import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {lstat, readdir, readFile, readlink} from 'node:fs/promises'
import path from 'node:path'
import type {ContextEntry} from '../../domain/inputs/sources.js'

export type {ContextEntry}

type IgnoreFactory = () => {add(patterns: string[]): {ignores(path: string): boolean}}

export interface ContextWalk {
  /** absolute context directory */
  root: string
  /** every entry sent to the builder, sorted by path (directories included) */
  entries: ContextEntry[]
  /** the `.dockerignore` patterns applied */
  ignorePatterns: string[]
  /** context-relative path of the Dockerfile when it lives inside the context */
  dockerfile?: string
}

/** Parses `.dockerignore` text the way Docker does: `#` comments, blank lines dropped, paths cleaned. */
export function parseDockerignore(text: string): string[] {
  const out: string[] = []
  for (let line of text.split(/\r?\n/)) {
    if (line.startsWith('#')) continue
    line = line.trim()
    if (line === '') continue
    let negate = false
    if (line.startsWith('!')) {
      negate = true
      line = line.slice(1).trim()
    }
    // Docker cleans each pattern (filepath.Clean) and drops a leading '/'
    let clean = path.posix.normalize(line.replace(/\\/g, '/'))
    clean = clean.replace(/^\/+/, '').replace(/\/+$/, '')
    if (clean === '' || clean === '.') continue
    out.push((negate ? '!' : '') + clean)
  }
  return out
}

/** sha256 over the permission bits and the content (mtime does not count, cache.md §1.4.2). */
export async function hashFile(file: string, mode: number): Promise<string> {
  const hash = createHash('sha256')
  hash.update(`file\0${(mode & 0o7777).toString(8)}\0`)
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file)
    stream.on('data', (chunk) => hash.update(chunk))
    stream.on('end', () => resolve())
    stream.on('error', reject)
  })
  return `sha256:${hash.digest('hex')}`
}

export function hashSymlink(target: string, mode: number): string {
  return `sha256:${createHash('sha256').update(`symlink\0${(mode & 0o7777).toString(8)}\0${target}`).digest('hex')}`
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const workers = Array.from({length: Math.min(limit, items.length)}, async () => {
    while (next < items.length) {
      const item = items[next++]!
      await fn(item)
    }
  })
  await Promise.all(workers)
}

/**
 * Walks a build context honouring `.dockerignore` exactly as Docker does (@balena/dockerignore: Go
 * `filepath.Match`, `**`, `!` exceptions, parent-directory matches). The Dockerfile and `.dockerignore`
 * are always part of the context (the Docker CLI re-includes them). Hashes every file (mode + content).
 */
export async function walkContext(root: string, options: {dockerfile?: string} = {}): Promise<ContextWalk> {
  const abs = path.resolve(root)
  const rootStat = await lstat(abs).catch(() => undefined)
  if (!rootStat?.isDirectory()) throw Object.assign(new Error(`build context ${abs} is not a directory`), {code: 'ENOTDIR'})
  // CommonJS `module.exports = factory` typed as `export default`: normalise both shapes
  const mod = (await import('@balena/dockerignore')) as unknown as {default: IgnoreFactory | {default: IgnoreFactory}}
  const ignore: IgnoreFactory = typeof mod.default === 'function' ? mod.default : mod.default.default
  let patterns: string[] = []
  try {
    patterns = parseDockerignore(await readFile(path.join(abs, '.dockerignore'), 'utf8'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const matcher = ignore().add(patterns)
  const hasExceptions = patterns.some((p) => p.startsWith('!'))

  let dockerfileRel: string | undefined
  if (options.dockerfile) {
    const rel = path.relative(abs, path.resolve(abs, options.dockerfile))
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) dockerfileRel = rel.split(path.sep).join('/')
  }
  const always = new Set(['.dockerignore', dockerfileRel ?? 'Dockerfile'])

  const entries: ContextEntry[] = []
  const files: Array<{entry: ContextEntry; abs: string}> = []
  const walk = async (dirRel: string): Promise<void> => {
    const dirents = await readdir(path.join(abs, dirRel), {withFileTypes: true})
    for (const d of dirents) {
      const rel = dirRel === '' ? d.name : `${dirRel}/${d.name}`
      const full = path.join(abs, rel)
      const ignored = matcher.ignores(rel) && !always.has(rel)
      const st = await lstat(full)
      if (st.isDirectory()) {
        if (ignored && !hasExceptions) continue
        if (!ignored) entries.push({path: rel, type: 'dir', hash: '', mode: st.mode & 0o7777, size: 0})
        await walk(rel)
        continue
      }
      if (ignored) continue
      if (st.isSymbolicLink()) {
        entries.push({path: rel, type: 'symlink', hash: hashSymlink(await readlink(full), st.mode), mode: st.mode & 0o7777, size: 0})
      } else if (st.isFile()) {
        const entry: ContextEntry = {path: rel, type: 'file', hash: '', mode: st.mode & 0o7777, size: st.size}
        entries.push(entry)
        files.push({entry, abs: full})
      }
      // sockets, fifos, devices are not sent (the Docker CLI skips them too)
    }
  }
  await walk('')
  await forEachLimit(files, 16, async ({entry, abs: file}) => {
    entry.hash = await hashFile(file, entry.mode)
  })
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return {root: abs, entries, ignorePatterns: patterns, dockerfile: dockerfileRel}
}
