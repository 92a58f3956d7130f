import {Args, Flags} from './oclif.js'
import os from 'node:os'
import path from 'node:path'
import type {HistoryConnection, HistoryFilter} from '../services/history.js'

/** Flags shared by `history push` and `history pull` (and `--push` of ingest/build). */
export const historyArgs = {
  ref: Args.string({description: 'history repository, e.g. ghcr.io/acme/shop/bakedoctor-history (default: BAKEDOCTOR_HISTORY, then "history" in bakedoctor.config.json)'}),
}

export const connectionFlags = {
  insecure: Flags.boolean({description: 'the registry may use plain HTTP (loopback registries do by default) or unverified TLS'}),
  'ca-file': Flags.string({description: 'PEM file with CA certificates to trust for the registry (in addition to the system roots)'}),
}

export const filterFlags = {
  since: Flags.string({description: 'only runs created since: an ISO date/time, or a duration back from now (12h, 7d, 2w)'}),
  branch: Flags.string({description: 'only runs of this git branch'}),
  limit: Flags.integer({description: 'only the newest N runs (after the other filters)', min: 1}),
}

/** `ingest --push` / `build --push`: record, then push what was recorded. */
export const pushFlags = {
  push: Flags.boolean({description: 'push the recorded run(s) to the team history (REF: --history, BAKEDOCTOR_HISTORY or "history" in bakedoctor.config.json)'}),
  history: Flags.string({description: 'with --push: the history repository, e.g. ghcr.io/acme/shop/bakedoctor-history'}),
}

export async function connectionOf(ref: string | undefined, flags: {db?: string; insecure?: boolean; 'ca-file'?: string}): Promise<HistoryConnection> {
  return {
    db: flags.db,
    cwd: process.cwd(),
    ref,
    env: process.env,
    dockerConfigDir: process.env.DOCKER_CONFIG || path.join(os.homedir(), '.docker'),
    insecure: flags.insecure,
    caFile: flags['ca-file'],
  }
}

export async function filterOf(flags: {since?: string; branch?: string; limit?: number}): Promise<HistoryFilter> {
  const {parseSince} = await import('../services/history.js')
  return {since: flags.since !== undefined ? parseSince(flags.since) : undefined, branch: flags.branch, limit: flags.limit}
}

/** `--push`: push the runs just recorded to the team history and print what was pushed. */
export async function pushRecorded(flags: {push?: boolean; history?: string}, db: string, runs: string[], out: (text: string) => void): Promise<import('../domain/history/results.js').PushResult | undefined> {
  if (!flags.push || runs.length === 0) return undefined
  const [{pushHistory}, {renderPushResult}] = await Promise.all([import('../services/history.js'), import('../output/history-text.js')])
  const history = await pushHistory({...(await connectionOf(flags.history, {db})), runs})
  out(renderPushResult(history))
  return history
}
