/**
 * Hostile-shape fuzzing of every configuration parser: bake HCL, JSON bake files, Compose, buildx
 * metadata files, the gate config. Generators produce what an attacker or a broken tool would —
 * long runs of invalid characters, deep nesting (brackets, variable / inherits / function / group
 * chains, YAML aliases), exponential expansion (doubling strings and lists, nested loops, functions
 * calling each other twice per level, large matrices), catastrophic regexes, huge widths — mixed with
 * well-formed pieces and mutations of real files. Every case must end in a result or an InputError
 * naming the file, within the 10 s case budget; figures (cases, exit codes, crashes, hangs, peak
 * RSS) are printed at the end.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import {describe, expect, test} from 'vitest'
import {parseBakeFiles} from '../../src/adapters/bake/files.js'
import type {BakeFileText} from '../../src/domain/bake/body.js'
import {resolveBake} from '../../src/domain/bake/resolve.js'
import {parseConfigText} from '../../src/domain/gate/config.js'
import {parseMetadataFile} from '../../src/domain/metadata/parse-metadata.js'
import {PROJECT_ROOT} from '../helpers/cli.js'
import {printFiguresAfterAll} from './figures.js'
import {FUZZ_RUNS, PROPERTY_TIMEOUT_MS, applyByteMutations, byteMutations, expectInputErrorWithPosition, fcParams, withinBudget} from './mutate.js'

printFiguresAfterAll('test/fuzz/hostile.test.ts')

async function resolveFiles(files: BakeFileText[]): Promise<unknown> {
  const parsed = await parseBakeFiles(files)
  return resolveBake({files: parsed.files, compose: parsed.compose, targets: [], env: {}, fnEnv: {now: () => new Date(0), homedir: '/home/fuzz'}, localPlatform: 'linux/amd64'})
}

/** A case: a result, or an InputError naming the file (and a position). Anything else fails the property. */
async function oneCase(parser: string, run: () => Promise<unknown> | unknown, opts: {needPosition?: boolean} = {}): Promise<void> {
  await withinBudget(parser, async () => {
    try {
      await run()
    } catch (error) {
      const e = expectInputErrorWithPosition(error, {needFile: true})
      if (opts.needPosition !== false) expect(e.position, `no position: ${e.message}`).toBeDefined()
    }
  })
}

// ------------------------------------------------------------------ building blocks

const size = fc.oneof(fc.integer({min: 0, max: 20}), fc.integer({min: 20, max: 2_000}), fc.integer({min: 2_000, max: 50_000}))
const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/)
const chain = (n: number, f: (i: number) => string) => Array.from({length: n}, (_, i) => f(i)).join('')

/** an HCL expression tree, bounded in size, with the functions that can blow up */
const hclExpr: fc.Arbitrary<string> = fc.letrec<{e: string}>((tie) => ({
  e: fc.oneof(
    {depthSize: 'small', withCrossShrink: true},
    fc.constantFrom('1', '"a"', 'true', 'null', 'V', '[]', '{}', '"${V}"'),
    fc.tuple(tie('e'), fc.constantFrom('+', '*', '==', '&&', '||', '-', '/', '%'), tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('e').map((a) => `(${a})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, a, b]) => `${c} ? ${a} : ${b}`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `[${a}, ${b}]`),
    fc.tuple(ident, tie('e')).map(([k, v]) => `{ ${k} = ${v} }`),
    fc.tuple(fc.integer({min: 0, max: 200_000}), tie('e')).map(([n, v]) => `[for x in range(${n}) : ${v}]`),
    fc.tuple(fc.constantFrom('upper', 'lower', 'length', 'jsonencode', 'flatten', 'distinct', 'sort', 'reverse'), tie('e')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `concat([${a}], [${b}])`),
    fc.tuple(fc.constantFrom('(a+)+$', '(a|aa)*b', '^(\\\\w+\\\\s?)*$', '(.*a){20}', '[', '(?P<x>a)'), fc.integer({min: 0, max: 50_000})).map(([p, n]) => `regex("${p}", "${'a'.repeat(n)}!")`),
    fc.integer({min: 0, max: 2_000_000_000}).map((w) => `format("%0${w}d", 1)`),
    fc.integer({min: 0, max: 2_000_000_000}).map((n) => `indent(${n}, "a\\nb")`),
    tie('e').map((a) => `"\${${a}}\${${a}}"`),
    tie('e').map((a) => `try(${a}, can(${a}))`),
  ),
})).e

/** hostile HCL documents: each shape alone, so a case that fails names its shape */
const hostileHcl: fc.Arbitrary<string> = fc.oneof(
  // long runs of characters that are invalid (or meaningful) outside strings
  fc.tuple(fc.constantFrom('\\', '{', '(', '[', '"', '$', '%{', '${', '<<', "'", ';', '\u0000', '#', '/*', 'é', '\r'), size).map(([c, n]) => c.repeat(n)),
  fc.tuple(fc.constantFrom('\\', '"', '{', '$'), size).map(([c, n]) => `target "default" {\n  args = { A = "${c.repeat(n)}" }\n}\n`),
  // deep nesting
  fc.tuple(fc.constantFrom(['(', ')'], ['[', ']'], ['{', '}'], ['"${', '}"']), size).map(([[o, c], n]) => `target "default" {\n  args = { A = ${o!.repeat(Math.min(n, 20_000))}1${c!.repeat(Math.min(n, 20_000))} }\n}\n`),
  fc.integer({min: 1, max: 20_000}).map((n) => `target "default" {\n  args = { A = ${Array(n).fill('1').join(' + ')} }\n}\n`),
  fc.integer({min: 1, max: 600}).map((n) => chain(n, (i) => `variable "v${i}" {\n  default = v${i + 1}\n}\n`) + `variable "v${n}" {\n  default = "x"\n}\ntarget "default" {\n  args = { A = v0 }\n}\n`),
  fc.integer({min: 1, max: 600}).map((n) => chain(n, (i) => `target "t${i}" {\n  inherits = ["t${i + 1}"]\n}\n`) + `target "t${n}" {\n  dockerfile = "x"\n}\ngroup "default" {\n  targets = ["t0"]\n}\n`),
  fc.integer({min: 1, max: 600}).map((n) => chain(n, (i) => `group "g${i}" {\n  targets = ["g${i + 1}"]\n}\n`) + `group "g${n}" {\n  targets = ["g0"]\n}\ngroup "default" {\n  targets = ["g0"]\n}\n`),
  // exponential expansion
  fc.integer({min: 1, max: 64}).map((n) => `variable "v0" {\n  default = "ab"\n}\n` + chain(n, (i) => `variable "v${i + 1}" {\n  default = "\${v${i}}\${v${i}}"\n}\n`) + `target "default" {\n  args = { A = v${n} }\n}\n`),
  fc.integer({min: 1, max: 64}).map((n) => `variable "v0" {\n  default = ["ab"]\n}\n` + chain(n, (i) => `variable "v${i + 1}" {\n  default = concat(v${i}, v${i})\n}\n`) + `target "default" {\n  args = { A = length(v${n}) }\n}\n`),
  fc.integer({min: 1, max: 40}).map((n) => `function "f0" {\n  params = [x]\n  result = x\n}\n` + chain(n, (i) => `function "f${i + 1}" {\n  params = [x]\n  result = "\${f${i}(x)}\${f${i}(x)}"\n}\n`) + `target "default" {\n  args = { A = f${n}("a") }\n}\n`),
  fc.tuple(fc.integer({min: 0, max: 300}), fc.integer({min: 0, max: 300})).map(([a, b]) => `target "default" {\n  name = "t-\${a}-\${b}"\n  matrix = {\n    a = range(${a})\n    b = range(${b})\n  }\n}\n`),
  fc.tuple(fc.integer({min: 0, max: 100_000}), fc.integer({min: 0, max: 100_000})).map(([a, b]) => `target "default" {\n  args = { A = length([for i in range(${a}) : [for j in range(${b}) : j]]) }\n}\n`),
  // random expression trees in a well-formed file
  fc.tuple(hclExpr, hclExpr).map(([a, b]) => `variable "V" {\n  default = ${a}\n}\ntarget "default" {\n  args = { A = ${b} }\n  tags = [${a}]\n}\n`),
)

const jsonDeep = fc.tuple(fc.constantFrom('{"a":', '['), size).map(([o, n]) => `{"target":{"default":{"args":${o.repeat(n)}1${(o === '[' ? ']' : '}').repeat(n)}}}}`)
const hostileJson: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('{', '[', '"', '\\', ',', ':', 'x', '\u0000'), size).map(([c, n]) => c.repeat(n)),
  jsonDeep,
  jsonDeep.map((t) => t.slice(0, Math.floor(t.length / 2))),
  hclExpr.map((e) => JSON.stringify({variable: {V: {default: 'x'}}, target: {default: {args: {A: `\${${e}}`}, tags: [`\${${e}}`]}}})),
  fc.integer({min: 1, max: 3_000}).map((n) => JSON.stringify({variable: Object.fromEntries(Array.from({length: n + 1}, (_, i) => [`v${i}`, {default: i === n ? 'x' : `\${v${i + 1}}`}])), target: {default: {args: {A: '${v0}'}}}})),
  fc.integer({min: 1, max: 64}).map((n) => JSON.stringify({variable: Object.fromEntries(Array.from({length: n + 1}, (_, i) => [`v${i}`, {default: i === 0 ? 'ab' : `\${v${i - 1}}\${v${i - 1}}`}])), target: {default: {args: {A: `\${v${n}}`}}}})),
  fc.jsonValue({maxDepth: 6}).map((v) => JSON.stringify({target: {default: v}})),
  fc.jsonValue({maxDepth: 6}).map((v) => JSON.stringify(v)),
)

const hostileYaml: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('[', '{', '-', ':', '&a', '*a', '"', "'", '\t', '%', '!!', '? '), size).map(([c, n]) => `services:\n  a:\n    build: .\n    x: ${c.repeat(Math.min(n, 100_000))}\n`),
  size.map((n) => `services:\n  a:\n    build: .\n    x: ${'['.repeat(Math.min(n, 50_000))}${']'.repeat(Math.min(n, 50_000))}\n`),
  fc.integer({min: 1, max: 2_000}).map((n) => `services:\n  a:\n    build:\n${chain(n, (i) => `${'  '.repeat(i + 3)}k${i}:\n`)}${'  '.repeat(n + 3)}v\n`),
  fc.integer({min: 1, max: 12}).map((n) => `a0: &a0 ["x","x","x","x","x","x","x","x","x"]\n${chain(n, (i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]\n`)}services:\n  s:\n    build: .\n    x: *a${n}\n`),
  fc.integer({min: 1, max: 5_000}).map((n) => `services:\n  s:\n    build:\n      context: .\n      args:\n        A: "${'${X:-'.repeat(n)}y${'}'.repeat(n)}"\n`),
  fc.tuple(ident, size).map(([name, n]) => `services:\n  ${name}:\n    build:\n      context: .\n      args:\n        A: "${'$'.repeat(n)}"\n`),
  fc.jsonValue({maxDepth: 6}).map((v) => `services:\n  s:\n    build: ${JSON.stringify(v)}\n`),
  fc.constant('x: &x\n  y: *x\nservices:\n  s:\n    build: .\n    z: *x\n'),
)

const metadataReal = ['r1-cold', 'r2-warm-remote', 's1-multi-max'].map((r) => readFileSync(path.join(PROJECT_ROOT, 'fixtures/buildkit-0.11-rawjson', r, 'metadata.json'), 'utf8'))
const jsonText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('{', '[', '"', '\\', ',', 'x', '\u0000'), size).map(([c, n]) => c.repeat(n)),
  fc.tuple(fc.constantFrom('{"a":', '['), size).map(([o, n]) => `${o.repeat(n)}1${(o === '[' ? ']' : '}').repeat(n)}`),
  fc.jsonValue({maxDepth: 8}).map((v) => JSON.stringify(v)),
)

describe(`hostile inputs to every configuration parser (${FUZZ_RUNS} cases each)`, () => {
  // hcl2json costs ~1-5 s on the largest hostile shapes: the quick variant in `npm test` runs a fifth of the cases
  const hclRuns = process.env.BAKEDOCTOR_FUZZ_RUNS === undefined ? Math.max(10, Math.floor(FUZZ_RUNS / 5)) : FUZZ_RUNS
  test(`bake HCL: a plan or an InputError with file and position (${hclRuns} cases)`, async () => {
    await fc.assert(fc.asyncProperty(hostileHcl, async (text) => oneCase('bake-hcl/hostile', () => resolveFiles([{name: 'docker-bake.hcl', data: text}]))), fcParams(hclRuns))
  }, Math.max(PROPERTY_TIMEOUT_MS, hclRuns * 3_000))

  test('JSON bake files: a plan or an InputError with file and position', async () => {
    await fc.assert(fc.asyncProperty(hostileJson, async (text) => oneCase('bake-json/hostile', () => resolveFiles([{name: 'docker-bake.json', data: text}]))), fcParams())
  }, PROPERTY_TIMEOUT_MS)

  test('Compose files: a plan or an InputError with file and position', async () => {
    await fc.assert(fc.asyncProperty(hostileYaml, async (text) => oneCase('compose/hostile', () => resolveFiles([{name: 'compose.yaml', data: text}]))), fcParams())
  }, PROPERTY_TIMEOUT_MS)

  test('buildx metadata files (hostile shapes and mutated real ones): metadata or an InputError naming the file', async () => {
    const mutated = fc.tuple(fc.nat(), byteMutations).map(([i, m]) => applyByteMutations(Buffer.from(metadataReal[i % metadataReal.length]!), m).toString('utf8'))
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonText, mutated, jsonText.map((t) => `{"default": ${t}}`)), async (text) => oneCase('metadata/hostile+mutated', () => parseMetadataFile(text, {salt: 'fuzz', file: 'metadata.json'}))),
      fcParams(),
    )
  }, PROPERTY_TIMEOUT_MS)

  test('gate config (bakedoctor.config.json, package.json): a config or an InputError naming the file (and the key)', async () => {
    const gate = fc.oneof(
      jsonText,
      fc.jsonValue({maxDepth: 6}).map((v) => JSON.stringify({gate: v})),
      fc.record({minHitRate: fc.jsonValue(), per: fc.jsonValue(), targets: fc.dictionary(ident, fc.jsonValue({maxDepth: 4})), platforms: fc.dictionary(fc.string(), fc.jsonValue({maxDepth: 3}))}, {requiredKeys: []}).map((g) => JSON.stringify({gate: g})),
    )
    await fc.assert(
      fc.asyncProperty(gate, fc.boolean(), async (text, pkg) => oneCase('gate-config/hostile', () => parseConfigText(text, pkg ? 'package.json' : 'bakedoctor.config.json', {packageJson: pkg}), {needPosition: false})),
      fcParams(),
    )
  }, PROPERTY_TIMEOUT_MS)
})
