// In a fresh process: CPU time of explaining the latest run of an index (open the index, read the
// run and its baseline, explain, JSON.stringify), `reps` times after one warm-up; prints the median
// in ms. Startup and module loading are left out: this is the cost that grows with the run.
import path from 'node:path'
import {pathToFileURL} from 'node:url'
const [db, root, reps = '3'] = process.argv.slice(2)
const {explainWithStore} = await import(pathToFileURL(path.join(root, 'dist/services/explain.js')).href)
const {IndexStore} = await import(pathToFileURL(path.join(root, 'dist/adapters/db/index-store.js')).href)
const once = async () => {
  const start = process.cpuUsage()
  const store = await IndexStore.open(db, {readonly: true})
  try {
    JSON.stringify(await explainWithStore(store, {version: 'explain-cost: never stored'}))
  } finally {
    store.close()
  }
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}
await once()
const times = []
for (let i = 0; i < Number(reps); i++) times.push(await once())
times.sort((a, b) => a - b)
console.log(times[times.length >> 1].toFixed(1))
