/**
 * Hostile bake / compose / JSON definitions: each is refused with an input error naming the file,
 * the line (or offset) and the limit, with a fix — never a hang, a stack overflow or gigabytes.
 * A few go through the real CLI (exit code 2, peak RSS); the rest through the same service in-process
 * (hcl2json's WASM is loaded once, which keeps this file fast).
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {InputError} from '../../src/domain/errors.js'
import {resolvePlan} from '../../src/services/plan.js'
import {runCli} from '../helpers/cli.js'
import {expectInputError} from '../helpers/input-error.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'bd-hostile-bake-'))

function write(name: string, text: string): {dir: string; file: string} {
  const dir = tmp()
  writeFileSync(path.join(dir, name), text)
  return {dir, file: name}
}

/** resolves in-process; returns the InputError it must throw */
async function refusal(name: string, text: string, targets: string[] = []): Promise<InputError> {
  const {dir, file} = write(name, text)
  const err = await resolvePlan({cwd: dir, files: [file], targets, source: 'builtin', env: {}}).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err, `no error for ${name}`).toBeInstanceOf(InputError)
  const e = err as InputError
  expect(e.file).toBe(file)
  expect(e.position?.line ?? e.position?.offset, `no position: ${e.message}`).toBeGreaterThan(0)
  expect(e.fix, `no fix: ${e.message}`).toMatch(/\S/)
  return e
}

const chain = (n: number, f: (i: number) => string, last: string) => Array.from({length: n}, (_, i) => f(i)).join('') + last

describe('bake evaluation budget (in-process, same service as `plan`)', () => {
  it('a 3,000-variable chain: the depth limit, at the line of the variable where it was hit (not a stack overflow)', async () => {
    const text = chain(3000, (i) => `variable "v${i}" {\n  default = v${i + 1}\n}\n`, 'variable "v3000" {\n  default = "x"\n}\ntarget "default" {\n  args = { A = v0 }\n}\n')
    const e = await refusal('docker-bake.hcl', text)
    expect(e.message).toMatch(/evaluation nests deeper than 200 levels/)
    expect(e.position?.line).toBeGreaterThan(3)
    expect(e.fix).toMatch(/flatten the chain/)
  })

  it('a 20,000-term expression without brackets: the depth limit', async () => {
    const e = await refusal('docker-bake.hcl', `target "default" {\n  args = { A = ${Array(20000).fill('1').join(' + ')} }\n}\n`)
    expect(e.message).toMatch(/nests deeper than 200 levels/)
    expect(e.position?.line).toBe(2)
  })

  it('nested for over range(100000): the step limit', async () => {
    const e = await refusal('docker-bake.hcl', 'target "default" {\n  args = { A = length([for i in range(100000): [for j in range(100000): j]]) }\n}\n')
    expect(e.message).toMatch(/more than 500,000 steps/)
    expect(e.position?.line).toBe(2)
  })

  it('functions that call each other twice per level (2^39 calls): the step limit', async () => {
    const fns = chain(39, (i) => `function "f${i + 1}" {\n  params = [x]\n  result = "\${f${i}(x)}\${f${i}(x)}"\n}\n`, '')
    const e = await refusal('docker-bake.hcl', `function "f0" {\n  params = [x]\n  result = x\n}\n${fns}target "default" {\n  args = { A = f39("a") }\n}\n`)
    expect(e.message).toMatch(/more than 500,000 steps/)
  })

  it('a string that doubles per variable (2^60 characters): the string size limit', async () => {
    const vars = chain(59, (i) => `variable "v${i + 1}" {\n  default = "\${v${i}}\${v${i}}"\n}\n`, '')
    const e = await refusal('docker-bake.hcl', `variable "v0" {\n  default = "ab"\n}\n${vars}target "default" {\n  args = { A = v59 }\n}\n`)
    expect(e.message).toMatch(/string value grows beyond 1 MiB/)
  })

  it('a list that doubles per variable: the step limit (elements produced are counted)', async () => {
    const vars = chain(59, (i) => `variable "v${i + 1}" {\n  default = concat(v${i}, v${i})\n}\n`, '')
    const e = await refusal('docker-bake.hcl', `variable "v0" {\n  default = ["ab"]\n}\n${vars}target "default" {\n  args = { A = length(v59) }\n}\n`)
    expect(e.message).toMatch(/more than 500,000 steps/)
  })

  it('format / indent with an absurd width are refused, not allocated', async () => {
    expect((await refusal('docker-bake.hcl', 'target "default" {\n  args = { A = format("%0999999999d", 1) }\n}\n')).message).toMatch(/width 999999999 is larger than/)
    expect((await refusal('docker-bake.hcl', 'target "default" {\n  args = { A = indent(999999999, "a\\nb") }\n}\n')).message).toMatch(/more than the 1048576 character limit/)
  })

  it('regex("(a+)+$", …) runs in linear time (RE2, like buildx), not catastrophic backtracking', async () => {
    const {dir, file} = write('docker-bake.hcl', `target "default" {\n  args = { A = regex("(?:a+)+$", "${'a'.repeat(5000)}") }\n}\n`)
    const started = Date.now()
    const plan = await resolvePlan({cwd: dir, files: [file], source: 'builtin', env: {}})
    expect(Date.now() - started).toBeLessThan(5000)
    expect(plan.plan.target.default?.args?.A).toBe('a'.repeat(5000))
    const e = await refusal('docker-bake.hcl', `target "default" {\n  args = { A = regex("(a+)+$", "${'a'.repeat(40)}!") }\n}\n`)
    expect(e.message).toMatch(/did not match/)
  })

  it('a loop of regex calls on 25,000 characters each: stopped by the budget, not after 90 s (found by the fuzz)', async () => {
    const e = await refusal('docker-bake.hcl', `target "default" {\n  tags = [for x in range(100000) : regex("(.*a){20}", "${'a'.repeat(25_000)}!")]\n}\n`)
    expect(e.message).toMatch(/evaluation (needs more than 500,000 steps|took longer than 4 s)/)
    expect(e.position).toEqual({line: 2})
  })

  it('a 10,000-cell matrix: the matrix limit, at the matrix line', async () => {
    const e = await refusal('docker-bake.hcl', 'target "default" {\n  name = "t-${a}-${b}"\n  matrix = {\n    a = range(100)\n    b = range(100)\n  }\n}\n')
    expect(e.message).toMatch(/expands to more than 1000 targets/)
    expect(e.position?.line).toBe(3)
  })

  it('a group cycle says "cycle" and names the group line', async () => {
    const e = await refusal('docker-bake.hcl', 'group "default" {\n  targets = ["g1"]\n}\ngroup "g1" {\n  targets = ["g2"]\n}\ngroup "g2" {\n  targets = ["g1"]\n}\n')
    expect(e.message).toBe('group cycle: g1 → g2 → g1')
    expect(e.position?.line).toBe(8)
  })

  it('JSON: 5,000 nested objects are refused before parsing (not "Maximum call stack size exceeded")', async () => {
    const e = await refusal('docker-bake.json', '{"target":{"default":{"args":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + '}}}')
    expect(e.message).toMatch(/JSON nests deeper than 64 levels/)
  })

  it('JSON and Compose syntax errors carry a line and a fix', async () => {
    const json = await refusal('docker-bake.json', '{\n  "target": {\n    "a": }\n}')
    expect(json.position?.line).toBe(3)
    const compose = await refusal('compose.yml', 'services:\n  a:\n   - b\n  c: [\n')
    expect(compose.message).toMatch(/parsing yaml/)
    const deep = await refusal('compose.yml', `services:\n  a:\n    build: .\n    x: ${'['.repeat(5000)}${']'.repeat(5000)}\n`)
    expect(deep.message).toMatch(/nests too deeply/)
  })

  it('a string of 40,000 "$" (hcl2json: time growing with their square, ~12 s) is refused before parsing, at its line (found by the fuzz)', async () => {
    const e = await refusal('docker-bake.hcl', `target "default" {\n  args = {\n    A = "${'$'.repeat(40_000)}"\n  }\n}\n`)
    expect(e.message).toMatch(/more than 4096 "\$" or "%" characters in strings that start no interpolation/)
    expect(e.position).toEqual({line: 3})
  })

  it('a heredoc with 5,000 "$HOME" is refused the same way; interpolations are not counted, 3,000 "$" / "%" in 1,000 strings are fine', async () => {
    const e = await refusal('docker-bake.hcl', `target "default" {\n  dockerfile-inline = <<EOT\nFROM alpine\n${'RUN echo $HOME\n'.repeat(5_000)}EOT\n}\n`)
    expect(e.message).toMatch(/more than 4096 "\$" or "%"/)
    const {dir, file} = write('docker-bake.hcl', `variable "V" {\n  default = "v"\n}\ntarget "default" {\n  args = {\n${Array.from({length: 1_000}, (_, i) => `    A${i} = "\${V}-100% $X $\${V}"\n`).join('')}  }\n}\n`)
    const plan = await resolvePlan({cwd: dir, files: [file], targets: [], source: 'builtin', env: {}})
    expect(plan.plan.target.default?.args?.A999).toBe('v-100% $X ${V}')
  })

  it('a file over 1 MiB is refused before parsing, at the offset of the limit', async () => {
    const e = await refusal('docker-bake.hcl', `target "a" {\n  args = { X = "${'\\\\'.repeat(600 * 1024)}" }\n}\n`)
    expect(e.message).toMatch(/larger than the 1 MiB limit/)
    expect(e.position).toEqual({offset: 1024 * 1024})
  })
})

describe('hostile bake files through the CLI: exit 2, file:line, Fix, bounded memory', () => {
  it('900 KiB of backslashes (hcl2json: one diagnostic each, 1.6 GB at 1 MiB) is refused before parsing; peak RSS < 300 MB', async () => {
    const {dir, file} = write('docker-bake.hcl', `target "a" {\n}\n${'\\'.repeat(900 * 1024)}\n`)
    const res = await runCli(['plan', '-f', file, '--source', 'builtin', '--db', path.join(dir, 'i.db')], {cwd: dir, measurePeakRss: true})
    expectInputError(res, file, /not HCL: more than 16 characters that are invalid outside strings \(the first on line 3\)/, /:3: /)
    expect(res.peakKb, `peak RSS ${res.peakKb} kB`).toBeLessThan(300 * 1024)
  }, 60_000)

  it('backslashes inside strings, heredocs and comments are not counted', async () => {
    const {dir, file} = write('docker-bake.hcl', `# a \\ b \\ c \\ d \\ e \\ f \\ g \\ h \\ i \\ j \\ k \\ l \\ m \\ n \\ o \\ p \\ q \\ r\ntarget "default" {\n  args = {\n    A = "${'\\\\'.repeat(40)}"\n    B = "\${join("\\\\", ["x", "y"])}"\n    C = <<EOT\n${'\\'.repeat(40)}\nEOT\n  }\n}\n`)
    const res = await runCli(['plan', '-f', file, '--source', 'builtin', '--json', '--db', path.join(dir, 'i.db')], {cwd: dir})
    expect(res.exitCode, res.stderr).toBe(0)
    expect((res.json as {plan: {target: {default: {args: Record<string, string>}}}}).plan.target.default.args).toMatchObject({A: '\\'.repeat(40), B: 'x\\y'})
  }, 60_000)

  it('a 1,000-variable chain is exit 2 with the line and a Fix, not a stack overflow (exit 1)', async () => {
    const {dir, file} = write('docker-bake.hcl', chain(1000, (i) => `variable "v${i}" {\n  default = v${i + 1}\n}\n`, 'variable "v1000" {\n  default = "x"\n}\ntarget "default" {\n  args = { A = v0 }\n}\n'))
    const res = await runCli(['plan', '-f', file, '--source', 'builtin', '--db', path.join(dir, 'i.db')], {cwd: dir})
    expectInputError(res, file, /evaluation nests deeper than 200 levels/, /:\d+: /)
  }, 60_000)
})
