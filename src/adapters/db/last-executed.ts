import type {Step} from '../../domain/model/run.js'
import type {IndexConnection} from './connection.js'
import {FLAG_CACHED, FLAG_COMPLETED, type DefRow} from './rows.js'
import {textHash} from './texts.js'

/**
 * For the time-weighted hit rate: what a step cost when it last executed before `beforeRunId`.
 * `definitionOf` names the stored definition of a step read from the index (no hashing, no joins).
 */
export function lastExecutedLookup(conn: IndexConnection, definitionOf: (step: Step) => DefRow | undefined, beforeRunId: number): (step: Step) => number | undefined {
  // `flags & 5 = 4` (completed, not cached) is spelled as in the partial index run_steps_executed,
  // so that SQLite answers from that index alone
  const byName = conn.sql(
    `SELECT rs.duration_ms AS d FROM texts t JOIN step_defs sd ON sd.name_id = t.id JOIN run_steps rs ON rs.def_id = sd.id
     WHERE t.hash = ? AND sd.target = ? AND rs.run_id < ? AND rs.flags & ${FLAG_CACHED | FLAG_COMPLETED} = ${FLAG_COMPLETED}
     ORDER BY rs.run_id DESC LIMIT 1`,
  )
  const byDef = conn.sql(
    `SELECT duration_ms AS d FROM run_steps WHERE def_id = ? AND run_id < ? AND flags & ${FLAG_CACHED | FLAG_COMPLETED} = ${FLAG_COMPLETED} ORDER BY run_id DESC LIMIT 1`,
  )
  // the totals ask about a step once per group it is in: remember the answers
  const known = new Map<string, number | undefined>()
  return (step) => {
    const key = `${step.target ?? ''}\u0000${step.name}`
    if (known.has(key)) return known.get(key)
    const def = definitionOf(step)
    const row = (def && def.name === step.name && def.target === (step.target ?? '')
      ? byDef.get(def.id, beforeRunId)
      : byName.get(textHash(step.name), step.target ?? '', beforeRunId)) as {d: number} | undefined
    known.set(key, row?.d)
    return row?.d
  }
}
