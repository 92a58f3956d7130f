import {Flags} from './oclif.js'
import os from 'node:os'
import path from 'node:path'
import {UsageError} from '../errors.js'

/**
 * Flags more than one command takes, defined once so they mean the same everywhere, with the
 * functions that turn their values into service options.
 */

/** How to reach a registry (cache refs, base images). */
export const registryFlags = {
  insecure: Flags.boolean({description: 'the registries may use plain HTTP (loopback only) or unverified TLS'}),
  'ca-file': Flags.string({description: 'PEM file with CA certificates to trust for the registry (in addition to the system roots)'}),
}

/** Where registry credentials are read from: DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(): string {
  return process.env.DOCKER_CONFIG || path.join(os.homedir(), '.docker')
}

/** The report format of commands that print a report (the TUI, on a terminal, is not a format). */
export const formatFlag = (options: string[]) => Flags.string({description: 'output format when not interactive', options, default: 'text'})

/** `--no-tui`: the report even on a terminal. */
export const noTuiFlag = Flags.boolean({description: 'print the report even on a terminal'})

/** `--label k=v`, `--var K=V`: repeated NAME=VALUE flags as a record. */
export function parseAssignments(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values ?? []) {
    const eq = v.indexOf('=')
    if (eq <= 0) throw new UsageError(`${flag} "${v}" is not NAME=VALUE`, {fix: `write it as ${flag} NAME=VALUE`})
    out[v.slice(0, eq)] = v.slice(eq + 1)
  }
  return out
}

/** All of stdin as text (`-f -` bake definitions). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** `explain --check-cache`: inspect the run's registry cache refs for evidence. */
export const checkCacheFlags = {
  'check-cache': Flags.boolean({description: 'inspect the run\'s registry cache refs and use what they hold as evidence for cache-unavailable verdicts'}),
  'cache-from': Flags.string({description: 'with --check-cache: cache ref to inspect (default: the plan\'s cache-from, else the run\'s cache imports); repeatable', multiple: true}),
  base: Flags.string({description: 'base image to match per-platform cache roots (default: the run\'s FROM images); repeatable', multiple: true}),
  ...registryFlags,
}

export function checkCacheOf(flags: {'check-cache'?: boolean; 'cache-from'?: string[]; base?: string[]; insecure?: boolean; 'ca-file'?: string}) {
  if (!flags['check-cache']) return undefined
  return {refs: flags['cache-from'], bases: flags.base, insecure: flags.insecure, caFile: flags['ca-file'], env: process.env, dockerConfigDir: dockerConfigDir()}
}

/** Bake file resolution, like `docker buildx bake`: `plan` and `plan diff`. */
export const planFlags = {
  file: Flags.string({char: 'f', description: 'bake definition file (repeatable; default: buildx lookup order)', multiple: true, multipleNonGreedy: true}),
  set: Flags.string({description: 'override a target value (PATTERN.KEY=VALUE or +=), like buildx --set', multiple: true, multipleNonGreedy: true}),
  var: Flags.string({description: 'set a variable (NAME=VALUE), like buildx --var', multiple: true, multipleNonGreedy: true}),
  source: Flags.string({description: 'who resolves the plan', options: ['auto', 'buildx', 'builtin'], default: 'auto'}),
}
