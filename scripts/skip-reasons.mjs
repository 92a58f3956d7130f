// Why tests were skipped, from vitest's JSON report: a skipped suite names its reason in its title as
// `[skipped: REASON]` (test/helpers/engine.ts, test/helpers/chromium.ts do), and the runner prints
// one line per reason: `no Docker engine at unix:///var/run/docker.sock: 15 end-to-end tests skipped`.

const MARKER = /\[skipped: ([^\]]+)\]/

/** @param {{testResults?: {assertionResults?: {status: string, title: string, ancestorTitles?: string[]}[]}[]}} report */
export function skipReasons(report) {
  const counts = new Map()
  for (const file of report.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status !== 'skipped' && t.status !== 'pending' && t.status !== 'todo') continue
      const reason = MARKER.exec([...(t.ancestorTitles ?? []), t.title].join(' '))?.[1] ?? 'no reason given'
      counts.set(reason, (counts.get(reason) ?? 0) + 1)
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason}: ${n} test${n === 1 ? '' : 's'} skipped`)
}
