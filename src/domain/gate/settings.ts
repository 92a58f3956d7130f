import type {
  AppliedThreshold, GateFileConfig, GateScope, GateSettings, LoadedConfig, Setting, SettingSource, TargetOverride, ThresholdName, ThresholdSet,
} from './types.js'
import {THRESHOLDS, THRESHOLD_NAMES, thresholdValueText, thresholdsNeeding} from './rule-registry.js'

/** Gate settings given on the command line (or by `bakedoctor build --min-hit-rate`): the config file's global ones. Percent values. */
export type GateFlagValues = Omit<GateFileConfig, 'targets' | 'platforms'>

/** Flag names, for "where did this come from" (and for messages that name the flag to pass). */
export const FLAG_NAMES: Record<keyof GateFlagValues, string> = {
  ...(Object.fromEntries(THRESHOLDS.map((t) => [t.name, `--${t.flag}`])) as Record<ThresholdName, string>),
  baseline: '--baseline',
  per: '--per',
  allowEmpty: '--allow-empty',
  allowMissingBaseline: '--allow-missing-baseline',
}

/** Rules are checked on the whole run and on every target × platform unless told otherwise. */
export const DEFAULT_SCOPES: GateScope[] = ['overall', 'target-platform']

/**
 * Merges flags, the config file and defaults. A flag replaces the file's global value of the same
 * setting; the file's per-target / per-platform overrides are more specific and still apply to
 * their groups (the report echoes each value with its source, so this is never a surprise).
 */
export function resolveSettings(flags: GateFlagValues, config?: LoadedConfig): GateSettings {
  const gate = config?.gate ?? {}
  const fromFile = (path: string): SettingSource => ({kind: 'config', file: config!.file, path: `${config!.prefix}.${path}`})
  const pick = <T>(name: keyof GateFlagValues, flag: T | undefined, file: T | undefined): Setting<T> | undefined => {
    if (flag !== undefined) return {value: flag, source: {kind: 'flag', flag: FLAG_NAMES[name]}}
    if (file !== undefined) return {value: file, source: fromFile(name)}
    return undefined
  }
  const settings: GateSettings = {
    per: pick('per', flags.per, gate.per) ?? {value: DEFAULT_SCOPES, source: {kind: 'default'}},
    allowEmpty: pick('allowEmpty', flags.allowEmpty, gate.allowEmpty) ?? {value: false, source: {kind: 'default'}},
    allowMissingBaseline: pick('allowMissingBaseline', flags.allowMissingBaseline, gate.allowMissingBaseline) ?? {value: false, source: {kind: 'default'}},
    targets: {},
    platforms: {},
  }
  for (const name of THRESHOLD_NAMES) {
    const s = pick(name, flags[name], gate[name])
    if (s) settings[name] = s
  }
  const baseline = pick('baseline', flags.baseline, gate.baseline)
  if (baseline) settings.baseline = baseline
  for (const [target, t] of Object.entries(gate.targets ?? {})) {
    const path = `targets${seg(target)}`
    const override: TargetOverride = {...fileThresholds(t, path, fromFile), platforms: {}}
    for (const [platform, p] of Object.entries(t.platforms ?? {})) {
      override.platforms[platform] = fileThresholds(p, `${path}.platforms${seg(platform)}`, fromFile)
    }
    settings.targets[target] = override
  }
  for (const [platform, p] of Object.entries(gate.platforms ?? {})) {
    settings.platforms[platform] = fileThresholds(p, `platforms${seg(platform)}`, fromFile)
  }
  return settings
}

function fileThresholds(values: Partial<Record<ThresholdName, number>>, path: string, fromFile: (p: string) => SettingSource): ThresholdSet {
  const out: ThresholdSet = {}
  for (const name of THRESHOLD_NAMES) {
    const v = values[name]
    if (v !== undefined) out[name] = {value: v, source: fromFile(`${path}.${name}`)}
  }
  return out
}

const seg = (name: string) => (/^[A-Za-z_$][\w$-]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`)

/**
 * The threshold for one group, most specific first:
 * target × platform override → target override → platform override → global.
 */
export function thresholdFor(settings: GateSettings, name: ThresholdName, group: {scope: GateScope; target?: string; platform?: string}): Setting<number> | undefined {
  const t = group.target !== undefined ? settings.targets[group.target] : undefined
  const p = group.platform !== undefined ? settings.platforms[group.platform] : undefined
  switch (group.scope) {
    case 'overall':
      return settings[name]
    case 'target':
      return t?.[name] ?? settings[name]
    case 'platform':
      return p?.[name] ?? settings[name]
    case 'target-platform':
      return (group.platform !== undefined ? t?.platforms[group.platform]?.[name] : undefined) ?? t?.[name] ?? p?.[name] ?? settings[name]
  }
}

/** True when one of `names` is set anywhere: globally, per target, per platform or per target × platform. */
export function isSetAnywhere(settings: GateSettings, names: readonly ThresholdName[]): boolean {
  const any = (s: ThresholdSet) => names.some((n) => s[n] !== undefined)
  return any(settings) || Object.values(settings.platforms).some(any) || Object.values(settings.targets).some((t) => any(t) || Object.values(t.platforms).some(any))
}

/** True when no threshold is set anywhere: a gate with nothing to check. */
export function hasAnyThreshold(settings: GateSettings): boolean {
  return isSetAnywhere(settings, THRESHOLD_NAMES)
}

/** Every setting the gate applied, with where it came from: the report's echo. */
export function appliedThresholds(settings: GateSettings): AppliedThreshold[] {
  const out: AppliedThreshold[] = []
  const flagOf = new Map(THRESHOLDS.map((t) => [t.name, t.flag]))
  const push = (set: ThresholdSet, appliesTo: string) => {
    for (const n of THRESHOLD_NAMES) {
      const s = set[n]
      if (s) out.push({name: flagOf.get(n)!, appliesTo, value: thresholdValueText(n, s.value), source: s.source})
    }
  }
  push(settings, 'all')
  for (const [t, o] of Object.entries(settings.targets)) {
    push(o, `target ${t}`)
    for (const [p, po] of Object.entries(o.platforms)) push(po, `target ${t}, platform ${p}`)
  }
  for (const [p, o] of Object.entries(settings.platforms)) push(o, `platform ${p}`)
  if (settings.baseline) out.push({name: 'baseline', appliesTo: 'all', value: settings.baseline.value, source: settings.baseline.source})
  else if (isSetAnywhere(settings, thresholdsNeeding('baseline'))) out.push({name: 'baseline', appliesTo: 'all', value: 'previous run of the same targets', source: {kind: 'default'}})
  out.push({name: 'per', appliesTo: 'all', value: settings.per.value.join(', '), source: settings.per.source})
  out.push({name: 'allow-empty', appliesTo: 'all', value: String(settings.allowEmpty.value), source: settings.allowEmpty.source})
  if (settings.allowMissingBaseline.value || out.some((a) => a.name === 'baseline')) {
    out.push({name: 'allow-missing-baseline', appliesTo: 'all', value: String(settings.allowMissingBaseline.value), source: settings.allowMissingBaseline.source})
  }
  return out
}

/**
 * `80`, `80%`, `80.5` → 80 / 80.5 (percent, 0–100). A fraction like `0.8` is accepted as 0.8 %,
 * as written; the report echoes it, so a mistake shows.
 */
export function parsePercent(text: string | number): {value: number} | {error: string} {
  const s = typeof text === 'number' ? String(text) : text.trim()
  const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(s)
  if (!m) return {error: `"${text}" is not a percentage`}
  const value = Number(m[1])
  if (!(value >= 0 && value <= 100)) return {error: `${value} is outside 0–100`}
  return {value}
}
