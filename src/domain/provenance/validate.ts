import {canonicalJson, sha256} from './canonical.js'
import type {StepProvenance} from './types.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const isStr = (v: unknown): v is string => typeof v === 'string'
const strings = (v: unknown, max: number) => Array.isArray(v) && v.length <= max && v.every(isStr)
const stringMap = (v: unknown, max: number) => isObj(v) && Object.keys(v).length <= max && Object.values(v).every(isStr)
const optStr = (v: unknown) => v === undefined || isStr(v)

const KINDS = new Set(['exec', 'file', 'source', 'build', 'merge', 'diff', 'other'])
const MAX_ITEMS = 10_000

/**
 * A step's provenance read back from outside the index (a pulled history record): the shape is
 * checked field by field and the definition hash recomputed, never trusted. Returns the value, or
 * the path (`.definition.exec.env`) of the first field that is wrong.
 */
export function validateStepProvenance(value: unknown): StepProvenance | {invalid: string} {
  if (!isObj(value)) return {invalid: ''}
  if (!isStr(value.stepId)) return {invalid: '.stepId'}
  if (!isStr(value.lineage) || !/^[0-9a-f]{32}$/.test(value.lineage)) return {invalid: '.lineage'}
  if (typeof value.readsContext !== 'boolean') return {invalid: '.readsContext'}
  if (!strings(value.parents, MAX_ITEMS)) return {invalid: '.parents'}
  const d = value.definition
  if (!isObj(d) || !isStr(d.kind) || !KINDS.has(d.kind)) return {invalid: '.definition.kind'}
  if (!strings(d.inputs, MAX_ITEMS)) return {invalid: '.definition.inputs'}
  if (!optStr(d.platform) || !optStr(d.other)) return {invalid: '.definition'}
  if (d.exec !== undefined) {
    const e = d.exec
    if (!isObj(e) || !strings(e.args, MAX_ITEMS)) return {invalid: '.definition.exec.args'}
    if (!stringMap(e.env, MAX_ITEMS)) return {invalid: '.definition.exec.env'}
    if (!Array.isArray(e.mounts) || e.mounts.length > MAX_ITEMS || !e.mounts.every((m) => isObj(m) && isStr(m.type) && isStr(m.target))) return {invalid: '.definition.exec.mounts'}
    if (![e.cwd, e.user, e.network, e.security].every(optStr) || (e.extra !== undefined && !stringMap(e.extra, MAX_ITEMS))) return {invalid: '.definition.exec'}
  }
  if (d.file !== undefined && !(isObj(d.file) && Array.isArray(d.file.actions) && d.file.actions.length <= MAX_ITEMS && d.file.actions.every((a) => isObj(a) && isStr(a.type)))) {
    return {invalid: '.definition.file.actions'}
  }
  if (d.source !== undefined && !(isObj(d.source) && isStr(d.source.identifier) && stringMap(d.source.attrs, MAX_ITEMS))) return {invalid: '.definition.source'}
  const out = {...(value as unknown as StepProvenance), hash: sha256(canonicalJson(d))}
  const loc = value.location
  if (loc !== undefined) {
    if (!isObj(loc) || !isStr(loc.file) || typeof loc.startLine !== 'number' || typeof loc.endLine !== 'number' || !strings(loc.text, 1000)) return {invalid: '.location'}
  }
  return out
}
