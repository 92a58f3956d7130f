import {InputError} from '../errors.js'
import {jsonErrorOffset, jsonTooDeepAt} from '../json-error-offset.js'
import type {RunMetadata} from '../model/run.js'
import {Redactor, isSecretArg} from '../redact/policy.js'
import {formatOciPlatform} from '../model/run-platform.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * A buildx/buildctl `--metadata-file` (events.md §5): flat for a build, `{target: {...}}` for bake.
 * Extracts the platforms (descriptor platform, per-platform buildinfo keys), build args (from `containerimage.buildinfo*` attrs or provenance
 * `invocation.parameters.args`), base image pins, build refs and image names. Secret-looking args
 * are masked with the index's salt; their plaintext values are returned so the caller can scrub them
 * from step names and logs.
 */
export function parseMetadataFile(text: string, options: {salt: string; file?: string; target?: string}): {metadata: RunMetadata; secretValues: string[]} {
  const deep = jsonTooDeepAt(text, 64)
  if (deep !== undefined) throw new InputError('the metadata file nests deeper than 64 levels: not a --metadata-file', {file: options.file, position: {line: deep}, fix: 'pass the file written by --metadata-file'})
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    const m = /position (\d+)/.exec((error as Error).message)
    const line = text.slice(0, m ? Number(m[1]) : jsonErrorOffset(text)).split('\n').length
    throw new InputError(`the metadata file is not valid JSON: ${(error as Error).message.replace(/, "[\s\S]*" is not valid JSON$/, '').slice(0, 300)}`, {file: options.file, position: {line}, fix: 'pass the file written by --metadata-file'})
  }
  if (!isObj(json)) throw new InputError('the metadata file is not a JSON object', {file: options.file, position: {line: 1}, fix: 'pass the file written by --metadata-file'})
  const perTarget: Record<string, Obj> = {}
  if (looksLikeBuildEntry(json)) perTarget[options.target ?? 'default'] = json
  else for (const [k, v] of Object.entries(json)) if (isObj(v) && looksLikeBuildEntry(v)) perTarget[k] = v
  const metadata: RunMetadata = {}
  const secretValues: string[] = []
  for (const [target, entry] of Object.entries(perTarget)) {
    const rawArgs: Record<string, string> = {}
    const bases: Record<string, string> = {}
    const platforms = new Set<string>()
    const descriptor = entry['containerimage.descriptor']
    const described = isObj(descriptor) ? formatOciPlatform(descriptor.platform) : undefined
    if (described) platforms.add(described)
    for (const [key, value] of Object.entries(entry)) {
      if (key.startsWith('containerimage.buildinfo') && isObj(value)) {
        const platform = key.includes('/') ? key.slice(key.indexOf('/') + 1) : ''
        const named = platform ? formatOciPlatform(platform) : undefined
        if (named) platforms.add(named)
        if (isObj(value.attrs)) for (const [a, v] of Object.entries(value.attrs)) if (a.startsWith('build-arg:') && typeof v === 'string') rawArgs[a.slice(10)] = v
        if (Array.isArray(value.sources)) {
          for (const s of value.sources) {
            if (isObj(s) && typeof s.ref === 'string' && typeof s.pin === 'string') bases[`${platform ? platform + ' ' : ''}${s.ref}`] = s.pin
          }
        }
      }
      if (key.startsWith('buildx.build.provenance') && isObj(value)) {
        const inv = isObj(value.invocation) ? value.invocation : undefined
        const params = inv && isObj(inv.parameters) ? inv.parameters : undefined
        if (params && isObj(params.args)) for (const [a, v] of Object.entries(params.args)) if (a.startsWith('build-arg:') && typeof v === 'string') rawArgs[a.slice(10)] = v
        if (Array.isArray(value.materials)) {
          for (const m of value.materials) {
            if (isObj(m) && typeof m.uri === 'string' && isObj(m.digest) && typeof m.digest.sha256 === 'string') bases[m.uri] = `sha256:${m.digest.sha256}`
          }
        }
      }
    }
    const args = new Redactor({salt: options.salt}).values(rawArgs)
    for (const [name, value] of Object.entries(rawArgs)) if (isSecretArg(name, value)) secretValues.push(value)
    if (Object.keys(args).length) (metadata.buildArgs ??= {})[target] = args
    if (Object.keys(bases).length) (metadata.baseImages ??= {})[target] = bases
    if (platforms.size) (metadata.platforms ??= {})[target] = [...platforms].sort()
    if (typeof entry['buildx.build.ref'] === 'string') (metadata.buildRefs ??= {})[target] = entry['buildx.build.ref']
    if (typeof entry['image.name'] === 'string') (metadata.imageNames ??= {})[target] = entry['image.name']
  }
  return {metadata, secretValues}
}

function looksLikeBuildEntry(o: Obj): boolean {
  return Object.keys(o).some((k) => k.startsWith('containerimage.') || k.startsWith('buildx.build.ref') || k.startsWith('buildx.build.provenance') || k === 'image.name' || k === 'cache.manifest')
}
