import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {PROJECT_ROOT} from '../helpers/cli.js'

/**
 * Small modules with one job (docs/architecture.md, "Folders"): no source file in src/ over 400
 * lines except the HCL expression grammar, and oclif commands thin (≤ 50 lines: parse flags, call
 * one service, present). A file that grows past its limit is split by job, not given an exception.
 */
const SRC = path.join(PROJECT_ROOT, 'src')
const MAX_LINES = 400
const MAX_COMMAND_LINES = 50
/** the one file allowed over MAX_LINES: the HCL expression grammar (a recursive-descent parser reads best whole) */
const EXEMPT = new Set(['src/domain/bake/expr-parse.ts'])

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return sources(p)
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : []
  })
}

const lineCount = (file: string) => readFileSync(file, 'utf8').replace(/\n$/, '').split('\n').length

describe('file sizes', () => {
  const files = sources(SRC).map((f) => ({rel: path.relative(PROJECT_ROOT, f), lines: lineCount(f)}))

  it('counts lines as wc -l does', () => {
    expect(files.length).toBeGreaterThan(100)
    expect(files.find((f) => f.rel === 'src/domain/bake/expr-parse.ts')?.lines).toBeGreaterThan(MAX_LINES)
  })

  it(`no file in src/ is over ${MAX_LINES} lines, except the HCL grammar`, () => {
    expect(files.filter((f) => f.lines > MAX_LINES && !EXEMPT.has(f.rel)).map((f) => `${f.rel}: ${f.lines} lines`)).toEqual([])
  })

  it(`every command file is at most ${MAX_COMMAND_LINES} lines`, () => {
    const commands = files.filter((f) => f.rel.startsWith('src/commands/'))
    expect(commands.length).toBeGreaterThan(10)
    expect(commands.filter((f) => f.lines > MAX_COMMAND_LINES).map((f) => `${f.rel}: ${f.lines} lines`)).toEqual([])
  })
})
