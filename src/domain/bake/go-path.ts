/** Go's `path.Clean` (bake cleans context paths and `dirname()` results with it). */
export function cleanPath(p: string): string {
  if (p === '') return '.'
  const rooted = p.startsWith('/')
  const out: string[] = []
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop()
      else if (!rooted) out.push('..')
    } else out.push(seg)
  }
  const s = (rooted ? '/' : '') + out.join('/')
  return s === '' ? '.' : s
}
