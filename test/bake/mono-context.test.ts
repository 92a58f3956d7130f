/**
 * The built-in resolver gives the same plan for the captured mono-context project as the real
 * `docker buildx bake --print` (buildx v0.10.5, which printed cache/output entries as CSV strings).
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {expect, test} from 'vitest'
import {planFromPrintJson, planHash} from '../../src/domain/bake/plan.js'
import {resolvePlan} from '../../src/services/plan.js'

// the captured bake project and its `bake --print` (fixtures/bake-0.10-rawjson)
const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/bake-0.10-rawjson')

test('mono-context resolves like the captured --print (b1-cold)', async () => {
  const captured = planFromPrintJson(JSON.parse(readFileSync(path.join(FIX, 'b1-cold', 'print.json'), 'utf8')))
  const {plan, source, files} = await resolvePlan({cwd: path.join(FIX, 'mono-context'), env: {}, source: 'builtin'})
  expect(source).toBe('builtin')
  expect(files).toEqual(['docker-bake.hcl'])
  expect(plan).toEqual(captured)
  expect(planHash(plan)).toBe(planHash(captured))
  // the v0.10 CSV form was normalized to entries
  expect(captured.target.api?.['cache-to']).toEqual([{type: 'registry', ref: '127.0.0.1:5000/kloudvin/buildcache:api', mode: 'max', 'registry.insecure': 'true'}])
})
