import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {PROJECT_ROOT} from '../helpers/cli.js'

/**
 * A comment that cites a document (`docs/architecture.md, "Verdicts"`, `bake.md §5`) points at a file
 * in the repository: `docs/` or the reference notes in `docs/reference/`. A citation of a note that is
 * not in the repository cannot be followed by the next engineer.
 */
function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return sources(p)
    return /\.tsx?$/.test(e.name) ? [p] : []
  })
}

const exists = (cited: string) =>
  [cited, path.join('docs', cited), path.join('docs/reference', cited)].some((p) => existsSync(path.join(PROJECT_ROOT, p)))

describe('documents cited in src/', () => {
  it('every cited .md file is in the repository', () => {
    const missing = new Set<string>()
    let cited = 0
    for (const file of sources(path.join(PROJECT_ROOT, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/([\w./-]+\.md)\b/g)) {
        cited++
        if (!exists(m[1]!)) missing.add(`${path.relative(PROJECT_ROOT, file)} cites ${m[1]}`)
      }
    }
    expect(cited).toBeGreaterThan(20)
    expect([...missing]).toEqual([])
  })
})
