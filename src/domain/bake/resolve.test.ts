import {describe, expect, test} from 'vitest'
import {applyOverrides, globMatch, parseOverrides} from './overrides.js'
import {canonicalPlanJson, planFromPrintJson, planHash, planToPrintJson, type Plan} from './plan.js'
import {diffPlan} from './plan-diff.js'
import {resolveBake, type ResolveInput} from './resolve.js'
import {type TargetSpec, mergeTargets, normalizeTarget, removeDupes} from './target.js'

/** A JSON-format bake file (no hcl2json needed: the domain takes the HCL-JSON structure). */
function resolveJson(json: unknown, more: Partial<ResolveInput> = {}): Plan {
  return resolveBake({files: [{name: 'docker-bake.json', format: 'json', json, source: JSON.stringify(json, null, 1)}], targets: [], env: {}, fnEnv: {now: () => new Date(0)}, ...more})
}

describe('target merge and normalize (inherits rules)', () => {
  test('maps merge per key and skip nulls, lists replace, cache-from appends, attest merges by type', () => {
    const parent: TargetSpec = {args: {A: '1', B: '1'}, tags: ['p'], 'cache-from': [{type: 'registry', ref: 'x'}], attest: [{type: 'sbom'}, {type: 'provenance', mode: 'min'}]}
    const child: TargetSpec = {args: {B: '2', A: null}, tags: ['c'], 'cache-from': [{type: 'registry', ref: 'x'}, {type: 'gha'}], attest: [{type: 'provenance', mode: 'max'}]}
    const t = normalizeTarget(mergeTargets(parent, child))
    expect(t.args).toEqual({A: '1', B: '2'})
    expect(t.tags).toEqual(['c'])
    expect(t['cache-from']).toEqual([{type: 'registry', ref: 'x'}, {type: 'gha'}])
    expect(t.attest).toEqual([{type: 'sbom'}, {type: 'provenance', mode: 'max'}])
  })

  test('removeDupes swaps the last element into a duplicate slot like buildx', () => {
    expect(removeDupes(['A', 'A', 'B', 'C'])).toEqual(['A', 'C', 'B'])
  })

  test('network=host adds the network.host entitlement', () => {
    expect(normalizeTarget({network: 'host'}).entitlements).toEqual(['network.host'])
  })
})

describe('--set', () => {
  test('globs match targets like path.Match; groups never match', () => {
    expect(globMatch('app-*', 'app-web')).toBe(true)
    expect(globMatch('app-?', 'app-10')).toBe(false)
    expect(globMatch('[ab]*', 'beta')).toBe(true)
    expect(() => parseOverrides(['grp.tags=x'], ['app'], {})).toThrow("could not find any target matching 'grp'")
  })

  test('list keys accumulate and the last --set decides replace or append', () => {
    const o = parseOverrides(['app.platform=linux/amd64', 'app.platform+=linux/arm64'], ['app'], {})
    expect(applyOverrides({platforms: ['linux/s390x']}, o.get('app')).platforms).toEqual(['linux/s390x', 'linux/amd64', 'linux/arm64'])
    const r = parseOverrides(['app.platform+=linux/amd64', 'app.platform=linux/arm64'], ['app'], {})
    expect(applyOverrides({platforms: ['linux/s390x']}, r.get('app')).platforms).toEqual(['linux/amd64', 'linux/arm64'])
  })

  test('args without = read the environment; unknown keys are errors', () => {
    const o = parseOverrides(['app.args.FROM_ENV', 'app.args.UNSET', 'app.args.EMPTY='], ['app'], {FROM_ENV: 'e'})
    expect(applyOverrides({}, o.get('app')).args).toEqual({FROM_ENV: 'e', EMPTY: ''})
    expect(() => applyOverrides({}, parseOverrides(['app.platforms=x'], ['app'], {}).get('app'))).toThrow('unknown key: platforms')
  })

  test('push/load overrides reshape outputs', () => {
    const o = parseOverrides(['*.push=true'], ['app'], {})
    expect(applyOverrides({output: [{type: 'docker'}]}, o.get('app')).output).toEqual([{type: 'docker'}, {type: 'image', push: 'true'}])
  })
})

describe('resolver on HCL-JSON input', () => {
  test('typed variables take CSV and NAME_JSON overrides; NAME_JSON wins', () => {
    const json = {variable: {L: {type: 'list(number)', default: [1]}}, target: {default: {args: {sum: '${L[0] + L[1]}'}}}}
    expect(resolveJson(json, {env: {L: '1,2'}}).target.default?.args).toEqual({sum: '3'})
    expect(resolveJson(json, {env: {L: '1,2', L_JSON: '[10, 20]'}}).target.default?.args).toEqual({sum: '30'})
    expect(() => resolveJson(json, {env: {L: 'x'}})).toThrow('failed to parse L as number')
  })

  test('--var beats the environment; top-level attributes ignore the environment', () => {
    const json = {variable: {V: {default: 'd'}}, G: 'global', target: {default: {args: {v: '${V}', g: '${G}'}}}}
    expect(resolveJson(json, {env: {V: 'env', G: 'env'}, vars: {V: 'var'}}).target.default?.args).toEqual({v: 'var', g: 'global'})
  })

  test('a matrix without distinct names is a duplicate-name error; matrix must be a map', () => {
    expect(() => resolveJson({target: {t: {matrix: {v: ['a', 'b']}}}})).toThrow('duplicate name "t"')
    expect(() => resolveJson({target: {t: {matrix: '${["a"]}', name: 'x'}}})).toThrow('matrix must be a map')
  })

  test('reference cycles between target attributes are errors, not hangs', () => {
    expect(() => resolveJson({target: {default: {context: '${target.default.dockerfile}', dockerfile: '${target.default.context}'}}})).toThrow('reference cycle not allowed for target.default')
  })

  test('user function recursion is an error', () => {
    expect(() => resolveJson({function: {f: {params: ['x'], result: '${f(x)}'}}, target: {default: {args: {a: '${f(1)}'}}}})).toThrow('function cycle not allowed for f')
  })

  test('linked targets are printed with cacheonly output; SOURCE_DATE_EPOCH is injected', () => {
    const plan = resolveJson({target: {app: {contexts: {base: 'target:base'}}, base: {tags: ['b']}}}, {targets: ['app'], env: {SOURCE_DATE_EPOCH: '42'}})
    expect(Object.keys(plan.target)).toEqual(['app', 'base'])
    expect(plan.target.base?.output).toEqual([{type: 'cacheonly'}])
    expect(plan.target.app?.args).toEqual({SOURCE_DATE_EPOCH: '42'})
  })
})

describe('plan model', () => {
  const plan: Plan = {group: {default: {targets: ['a']}}, target: {a: {context: '.', dockerfile: 'Dockerfile', args: {Z: '1', A: '${x} <&>'}, tags: ['t']}}}

  test('--print text re-escapes ${ and HTML-escapes like Go; reading it back gives the same plan', () => {
    const text = planToPrintJson(plan)
    expect(text).toContain('"A": "$${x} \\u003c\\u0026\\u003e"')
    expect(text.indexOf('"A"')).toBeLessThan(text.indexOf('"Z"'))
    expect(planFromPrintJson(JSON.parse(text))).toEqual(plan)
  })

  test('canonical JSON and hash do not depend on key order', () => {
    const reordered: Plan = {target: {a: {tags: ['t'], args: {A: '${x} <&>', Z: '1'}, dockerfile: 'Dockerfile', context: '.'}}, group: {default: {targets: ['a']}}}
    expect(canonicalPlanJson(reordered)).toBe(canonicalPlanJson(plan))
    expect(planHash(reordered)).toBe(planHash(plan))
    expect(planHash(plan)).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  test('old buildx CSV entries normalize to objects', () => {
    const p = planFromPrintJson({target: {a: {'cache-from': ['user/app:cache', 'type=gha,scope=x'], output: ['type=docker', '/tmp/out']}}})
    expect(p.target.a?.['cache-from']).toEqual([{type: 'registry', ref: 'user/app:cache'}, {type: 'gha', scope: 'x'}])
    expect(p.target.a?.output).toEqual([{type: 'docker'}, {type: 'local', dest: '/tmp/out'}])
  })

  test('diffPlan reports per-target, per-key changes', () => {
    const b: Plan = {group: plan.group, target: {a: {...plan.target.a, args: {Z: '2', A: '${x} <&>'}}}}
    const d = diffPlan(plan, b)
    expect(d.targets).toEqual([{name: 'a', status: 'changed', attributes: [{attribute: 'args.Z', kind: 'changed', before: '1', after: '2'}]}])
    expect(diffPlan(plan, plan).same).toBe(true)
  })
})
