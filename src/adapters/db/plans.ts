import type {Plan} from '../../domain/bake/plan.js'
import type {Run} from '../../domain/model/run.js'
import type {IndexConnection} from './connection.js'

/** A stored plan's canonical JSON by its hash. */
export function getPlan(conn: IndexConnection, hash: string): string | undefined {
  return (conn.sql('SELECT body FROM plans WHERE hash = ?').get(hash) as {body: string} | undefined)?.body
}

/** The plan recorded with a run (`build` records it; `ingest` has none). */
export function getRunPlan(conn: IndexConnection, run: Pick<Run, 'planHash'>): Plan | undefined {
  const body = run.planHash ? getPlan(conn, run.planHash) : undefined
  return body ? (JSON.parse(body) as Plan) : undefined
}
