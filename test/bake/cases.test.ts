/**
 * Every case in test/fixtures/bake-cases/ (transcribed from buildx's tests, see its README) resolves
 * with the built-in resolver to its expected.json, or fails with the expected error text.
 */
import {readdirSync, readFileSync, existsSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, test} from 'vitest'
import {planFromPrintJson, type Plan} from '../../src/domain/bake/plan.js'
import {resolvePlan} from '../../src/services/plan.js'
import {formatLocation} from '../../src/domain/errors.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/bake-cases')
const OWN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/bake-own')

interface CaseArgs {
  files: string[]
  targets: string[]
  set: string[]
  vars: Record<string, string>
}

/** Where buildx itself is nondeterministic (NOTES.md says so), arrays compare as sets. */
function unordered(plan: Plan): Plan {
  const out: Plan = {group: {}, target: {}}
  for (const [k, g] of Object.entries(plan.group)) out.group[k] = {...g, targets: [...g.targets].sort()}
  for (const [k, t] of Object.entries(plan.target)) {
    out.target[k] = {...t, ...(t.output ? {output: [...t.output].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))} : {})}
  }
  return out
}

function cases(root: string): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root, {withFileTypes: true})
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
}

async function runCase(root: string, name: string): Promise<void> {
  const dir = path.join(root, name)
  const args = JSON.parse(readFileSync(path.join(dir, 'args.json'), 'utf8')) as CaseArgs
  const env = JSON.parse(readFileSync(path.join(dir, 'env.json'), 'utf8')) as Record<string, string>
  const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as {error?: {contains: string[]}}
  const notes = existsSync(path.join(dir, 'NOTES.md')) ? readFileSync(path.join(dir, 'NOTES.md'), 'utf8') : ''
  const run = resolvePlan({
    cwd: dir,
    files: args.files,
    targets: args.targets,
    set: args.set,
    vars: args.vars,
    env,
    source: 'builtin',
    now: () => new Date('2025-01-02T03:04:05Z'),
  })
  if (expected.error) {
    const err = (await run.then(
      () => undefined,
      (e: unknown) => e,
    )) as {message: string; file?: string; position?: {line?: number}} | undefined
    expect(err, 'expected an error').toBeDefined()
    const text = `${formatLocation(err?.file, err?.position)}: ${err?.message}`
    for (const s of expected.error.contains) expect(text).toContain(s)
    return
  }
  const {plan} = await run
  const want = planFromPrintJson(expected)
  if (/not deterministic|nondeterministic|ElementsMatch|multiset|as sets/i.test(notes)) expect(unordered(plan)).toEqual(unordered(want))
  else expect(plan).toEqual(want)
}

describe('bake-cases transcribed from buildx', () => {
  for (const name of cases(ROOT)) test(name, () => runCase(ROOT, name))
})

describe('own bake cases', () => {
  for (const name of cases(OWN)) test(name, () => runCase(OWN, name))
})
