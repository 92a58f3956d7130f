/**
 * Fuzzing the built-in bake resolver (HCL via @cdktf/hcl2json, JSON, Compose YAML) on mutated copies
 * of the bake test cases (test/fixtures/bake-cases, test/fixtures/bake-own): line and byte
 * mutations, and injected constructs that stress the evaluator (variable cycles, self-inheriting
 * targets, unknown and recursive functions, target links in a loop, huge strings, big matrices and
 * ranges, unbalanced templates). Every case ends in a plan or an InputError naming the file (with a
 * line where the parser gives one): never another exception, never a hang.
 */
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import {describe, expect, test} from 'vitest'
import {DEFAULT_BAKE_FILES, parseBakeFiles} from '../../src/adapters/bake/files.js'
import type {BakeFileText} from '../../src/domain/bake/body.js'
import {resolveBake} from '../../src/domain/bake/resolve.js'
import {PROJECT_ROOT} from '../helpers/cli.js'
import {FUZZ_RUNS, PROPERTY_TIMEOUT_MS, type ByteMut, applyByteMutations, byteMutations, expectInputErrorWithPosition, fcParams, withinBudget} from './mutate.js'
import {printFiguresAfterAll} from './figures.js'

printFiguresAfterAll('test/fuzz/bake.test.ts')

interface BakeCase {
  name: string
  files: BakeFileText[]
  env: Record<string, string>
  targets: string[]
  set: string[]
  vars: Record<string, string>
}

function loadCases(): BakeCase[] {
  const out: BakeCase[] = []
  for (const base of ['test/fixtures/bake-cases', 'test/fixtures/bake-own']) {
    const dir = path.join(PROJECT_ROOT, base)
    for (const c of readdirSync(dir)) {
      const cdir = path.join(dir, c)
      if (!existsSync(path.join(cdir, 'args.json'))) continue
      const args = JSON.parse(readFileSync(path.join(cdir, 'args.json'), 'utf8')) as {files?: string[]; targets?: string[]; set?: string[]; vars?: Record<string, string>}
      const names = args.files?.length ? args.files : DEFAULT_BAKE_FILES.filter((f) => existsSync(path.join(cdir, f)))
      if (names.some((n) => n === '-' || !existsSync(path.join(cdir, n)))) continue
      const env = existsSync(path.join(cdir, 'env.json')) ? (JSON.parse(readFileSync(path.join(cdir, 'env.json'), 'utf8')) as Record<string, string>) : {}
      out.push({
        name: `${base}/${c}`,
        files: names.map((n) => ({name: n, data: readFileSync(path.join(cdir, n), 'utf8')})),
        env,
        targets: args.targets ?? [],
        set: args.set ?? [],
        vars: args.vars ?? {},
      })
    }
  }
  return out
}

const cases = loadCases()

/** the parser a file goes to, for the figures */
function parserOf(name: string): string {
  const lower = name.toLowerCase()
  return lower.endsWith('.json') ? 'bake-json' : lower.endsWith('.yml') || lower.endsWith('.yaml') ? 'compose' : 'bake-hcl'
}

const HCL_SNIPPETS = [
  'variable "CYC_A" {\n  default = "${CYC_B}"\n}\nvariable "CYC_B" {\n  default = "${CYC_A}"\n}\ntarget "cyc" {\n  tags = [CYC_A]\n}',
  'variable "SELF" {\n  default = "${SELF}x"\n}\ntarget "self" {\n  args = { S = SELF }\n}',
  'target "loop" {\n  inherits = ["loop"]\n}',
  'target "l1" {\n  inherits = ["l2"]\n}\ntarget "l2" {\n  inherits = ["l1"]\n}',
  'target "unk" {\n  tags = [nosuchfn("x")]\n}',
  'function "rec" {\n  params = [x]\n  result = rec(x)\n}\ntarget "r" {\n  tags = [rec(1)]\n}',
  'target "big" {\n  matrix = {\n    a = range(2000)\n    b = range(2000)\n  }\n  name = "big-${a}-${b}"\n}',
  'target "rng" {\n  tags = [for x in range(100000000) : "t${x}"]\n}',
  'target "lnk1" {\n  contexts = { x = "target:lnk2" }\n}\ntarget "lnk2" {\n  contexts = { y = "target:lnk1" }\n}',
  'target "ref" {\n  tags = target.ref.tags\n}',
  'target "huge" {\n  tags = ["' + 'A'.repeat(1 << 20) + '"]\n}',
  'group "default" {\n  targets = ["default"]\n}',
  'target "str" {\n  args = { X = "${"\n}',
  'target "fmt" {\n  tags = [format("%s %d", "a")]\n}',
  'target "div" {\n  args = { X = 1 / 0 }\n}',
  'target "null" {\n  context = null\n  dockerfile = null\n  args = null\n}',
  'target "deep" {\n  args = { X = ' + '('.repeat(2000) + '1' + ')'.repeat(2000) + ' }\n}',
  'target "tmpl" {\n  args = { X = "%{ for x in [1,2] }${x}%{ endfor }" }\n}',
  '${', '}', '{', '"', '[', '=', '%{', '<<EOF\nx\nEOF', '\u0000', '\uFFFD',
]
const JSON_SNIPPETS = ['{', '}', '[', ']', '"', ',', ':', 'null', '"${X}"', '{"target":{"t":{"inherits":["t"]}}}', '"' + 'B'.repeat(1 << 20) + '"']
const YAML_SNIPPETS = ['services:', '  x:', '    build: .', '    build:\n      args:\n        - A=${A', '&a [*a]', '*a', '- ', ': :', '\t', '{{', 'x: &x\n  y: *x']

type TextEdit = {kind: 'snippet'; at: number; pick: number} | {kind: 'dup' | 'drop'; at: number; to: number} | {kind: 'bytes'; m: ByteMut[]}

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  {weight: 4, arbitrary: fc.record({kind: fc.constant('snippet' as const), at: fc.double({min: 0, max: 1, noNaN: true}), pick: fc.nat()})},
  {weight: 2, arbitrary: fc.record({kind: fc.constantFrom('dup' as const, 'drop' as const), at: fc.double({min: 0, max: 1, noNaN: true}), to: fc.double({min: 0, max: 1, noNaN: true})})},
  {weight: 2, arbitrary: fc.record({kind: fc.constant('bytes' as const), m: byteMutations})},
)

function applyEdits(file: BakeFileText, edits: readonly TextEdit[]): BakeFileText {
  const lower = file.name.toLowerCase()
  const snippets = lower.endsWith('.json') ? JSON_SNIPPETS : lower.endsWith('.yaml') || lower.endsWith('.yml') ? YAML_SNIPPETS : HCL_SNIPPETS
  let lines = file.data.split('\n')
  let text: string | undefined
  for (const e of edits) {
    if (text !== undefined) lines = text.split('\n')
    text = undefined
    const i = Math.min(lines.length, Math.floor(('at' in e ? e.at : 0) * (lines.length + 1)))
    if (e.kind === 'snippet') lines.splice(i, 0, snippets[e.pick % snippets.length]!)
    else if (e.kind === 'dup') lines.splice(Math.floor(e.to * lines.length), 0, ...lines.slice(i, i + 3))
    else if (e.kind === 'drop') lines.splice(i, 1 + Math.floor(e.to * 3))
    else if (e.kind === 'bytes') text = applyByteMutations(Buffer.from(lines.join('\n')), e.m).toString('utf8')
  }
  return {name: file.name, data: text ?? lines.join('\n')}
}

async function resolveCase(c: BakeCase, files: BakeFileText[]): Promise<unknown> {
  const parsed = await parseBakeFiles(files)
  return resolveBake({
    files: parsed.files,
    compose: parsed.compose,
    targets: c.targets,
    set: c.set,
    vars: c.vars,
    env: c.env,
    fnEnv: {now: () => new Date(0), homedir: '/home/fuzz'},
    localPlatform: 'linux/amd64',
  })
}

describe(`bake resolver on mutated bake files (${FUZZ_RUNS} runs)`, () => {
  test('the cases are there', () => {
    expect(cases.length).toBeGreaterThan(20)
    expect(cases.some((c) => c.files.some((f) => f.name.endsWith('.json')))).toBe(true)
    expect(cases.some((c) => c.files.some((f) => f.name.endsWith('.yaml') || f.name.endsWith('.yml')))).toBe(true)
  })

  test('HCL / JSON / Compose: a plan or an InputError naming the file', async () => {
    let plans = 0
    let errors = 0
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.array(textEdit, {minLength: 1, maxLength: 4}), async (which, whichFile, edits) => {
        const c = cases[which % cases.length]!
        const fi = whichFile % c.files.length
        const files = c.files.map((f, i) => (i === fi ? applyEdits(f, edits) : f))
        await withinBudget(`${parserOf(c.files[fi]!.name)}/mutated ${c.name}`, async () => {
          try {
            const plan = await resolveCase(c, files)
            expect(plan).toHaveProperty('target')
            plans++
          } catch (error) {
            const e = expectInputErrorWithPosition(error, {needFile: true})
            expect(e.message).not.toMatch(/^undefined|\[object Object\]/)
            errors++
          }
        })
      }),
      fcParams(),
    )
    expect(plans + errors).toBeGreaterThan(0)
  }, PROPERTY_TIMEOUT_MS)

  test.each(HCL_SNIPPETS.slice(0, 10).map((s, i) => [i, s] as const))('stress construct %i alone is a plan or a named InputError, quickly', async (_i, snippet) => {
    const c: BakeCase = {name: 'snippet', files: [{name: 'docker-bake.hcl', data: snippet}], env: {}, targets: [], set: [], vars: {}}
    await withinBudget('bake-hcl/snippet', async () => {
      try {
        await resolveCase(c, c.files)
      } catch (error) {
        expectInputErrorWithPosition(error, {needFile: true})
      }
    })
  })
})
