import {mkdtempSync, writeFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, expect, test} from 'vitest'
import {resolvePlan} from '../../src/services/plan.js'
import {generateLargeBakeFile} from './generate-large.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'bake-large-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

test('a generated 1,000-target bake file resolves with the built-in resolver', async () => {
  // Given a 1,000-target file with inherits, functions, a matrix and nested groups
  writeFileSync(path.join(dir, 'docker-bake.hcl'), generateLargeBakeFile({targets: 1000}))
  // When it is resolved for the default group with CI on
  const {plan, targets} = await resolvePlan({cwd: dir, env: {CI: 'true', TAG: 'v9'}, source: 'builtin'})
  // Then every target is in the plan with its inherited and evaluated attributes
  expect(Object.keys(plan.target)).toHaveLength(1000)
  expect(targets).toHaveLength(1000)
  const t = plan.target['svc-0123']
  expect(t?.platforms).toEqual(['linux/amd64', 'linux/arm64'])
  expect(t?.tags).toEqual(['registry.example.com/acme/svc-0123:v9'])
  expect(t?.args).toEqual({SERVICE: 'svc-0123', INDEX: '123', SHARD: '3'})
  expect(t?.['cache-from']).toEqual([{type: 'registry', ref: 'registry.example.com/acme/cache:svc-0123'}])
  expect(plan.target['toolchain-1-23']?.args).toEqual({GO_VERSION: '1.23'})
  expect(plan.group.default?.targets).toEqual(['batch-0', 'batch-1', 'batch-10', 'batch-11', 'batch-12', 'batch-13', 'batch-14', 'batch-15', 'batch-16', 'batch-17', 'batch-18', 'batch-19', 'batch-2', 'batch-3', 'batch-4', 'batch-5', 'batch-6', 'batch-7', 'batch-8', 'batch-9', 'toolchain'])
}, 120_000)
