import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {PROJECT_ROOT} from '../helpers/cli.js'

/**
 * src/domain is pure (docs/architecture.md): events → steps → diff → verdicts, no IO. IO lives in
 * src/adapters; services pass data in. ESLint says the same (eslint.config.js); this test holds
 * even where the linter is not run.
 */
const DOMAIN = path.join(PROJECT_ROOT, 'src/domain')
const FORBIDDEN_MODULES = /^(node:)?(fs|fs\/promises|child_process|net|http|https|dgram|worker_threads)$|^undici$|^better-sqlite3$/

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(p)
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : []
  })
}

function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? m[2] ?? m[3]!)
}

describe('src/domain imports no IO', () => {
  const files = sourceFiles(DOMAIN)

  it('finds the domain sources', () => {
    expect(files.length).toBeGreaterThan(50)
    expect(importsOf("import {a} from './a.js'\nimport type {B} from 'undici'\nconst x = await import('node:fs')")).toEqual(['./a.js', 'undici', 'node:fs'])
  })

  it('no file imports fs, child_process, network modules, undici or better-sqlite3, nor anything outside src/domain, nor reads process.env', () => {
    const offences: string[] = []
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      const rel = path.relative(PROJECT_ROOT, file)
      for (const spec of importsOf(text)) {
        if (FORBIDDEN_MODULES.test(spec)) offences.push(`${rel} imports ${spec}`)
        else if (spec.startsWith('.') && !path.resolve(path.dirname(file), spec).startsWith(DOMAIN + path.sep)) offences.push(`${rel} imports ${spec} (outside src/domain)`)
      }
      if (/\bprocess\.env\b/.test(text.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))) offences.push(`${rel} reads process.env`)
    }
    expect(offences).toEqual([])
  })
})
