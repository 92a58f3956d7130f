import type {Explanation} from '../domain/explain/types.js'

/**
 * The explanation for `--json` without steps[].logTail: on a big run the tails were most of the
 * output (6.3 of 7.6 MB) and only `--logs` asks for them. A failed step's last lines stay in its
 * evidence (`evidence.error.logTail`).
 */
export function withoutStepLogs(explanation: Explanation): Explanation {
  return {
    ...explanation,
    steps: explanation.steps.map((step) => {
      const copy = {...step}
      delete copy.logTail
      return copy
    }),
  }
}
