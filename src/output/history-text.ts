import type {PullResult, PushResult} from '../domain/history/results.js'

const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`

export function renderPushResult(r: PushResult): string {
  const lines = [`Pushed ${plural(r.pushed.length, 'run')} to ${r.ref} (${plural(r.alreadyThere, 'run')} already there, ${r.selected} selected)`]
  for (const p of r.pushed) lines.push(`  ${p.id}  ${p.globalId}  ${p.manifestDigest}  ${p.recordBytes} bytes`)
  if (r.manifestForm === 'oci-1.0') lines.push('  note: the registry refused OCI 1.1 artifactType; the artifact type is in config.mediaType instead')
  return lines.join('\n')
}

export function renderPullResult(r: PullResult): string {
  const lines = [
    `Pulled ${plural(r.merged.length, 'new run')} from ${r.ref} into ${r.db}`,
    `  ${plural(r.listed, 'run')} in the history, ${r.known} already here, ${r.fetched} fetched${r.filteredOut ? `, ${r.filteredOut} left out by the filters` : ''}`,
  ]
  for (const m of r.merged) lines.push(`  ${m.id}  ${m.globalId}`)
  return lines.join('\n')
}
