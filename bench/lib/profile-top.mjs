// Summarises a .cpuprofile: self time per function (top N), for finding where the time goes.
import {readFileSync} from 'node:fs'
const prof = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const self = new Map()
const byId = new Map(prof.nodes.map((n) => [n.id, n]))
const dt = prof.timeDeltas
const counts = new Map()
for (let i = 0; i < prof.samples.length; i++) counts.set(prof.samples[i], (counts.get(prof.samples[i]) ?? 0) + (dt[i] ?? 0))
for (const [id, us] of counts) {
  const n = byId.get(id)
  const cf = n.callFrame
  const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + us)
}
const total = [...self.values()].reduce((a, b) => a + b, 0)
console.log(`total ${(total / 1000).toFixed(0)} ms`)
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 25))) console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`)
