// Inclusive time of the functions called under FUNCTION in a .cpuprofile (where its time goes).
import {readFileSync} from 'node:fs'
const prof = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const root = process.argv[3]
const byId = new Map(prof.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const selfUs = new Map()
prof.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)))
const name = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`
const incl = new Map()
for (const [id, us] of selfUs) {
  // walk up: credit the first frame under the root
  let cur = id
  let below
  while (cur !== undefined) {
    const n = byId.get(cur)
    if (n.callFrame.functionName === root) {
      const key = below !== undefined ? name(byId.get(below)) : '(self)'
      incl.set(key, (incl.get(key) ?? 0) + us)
      break
    }
    below = cur
    cur = parent.get(cur)
  }
}
const total = [...incl.values()].reduce((a, b) => a + b, 0)
console.log(`${root}: ${(total / 1000).toFixed(1)} ms`)
for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`)
