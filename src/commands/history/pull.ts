import {Flags} from '../../cli/oclif.js'
import {BakedoctorCommand} from '../../base-command.js'
import type {PullResult} from '../../services/history.js'
import {connectionFlags, connectionOf, filterFlags, filterOf, historyArgs} from '../../cli/history-flags.js'

export default class HistoryPull extends BakedoctorCommand<PullResult> {
  static override summary = 'Pull the team\'s runs from the history in a registry into the local index (only the runs it lacks).'

  static override description = `Lists the run tags, fetches only the runs the index does not hold (and --since / --branch / --limit keep),
verifies every digest and size, and merges them in one transaction: a bad record leaves the index unchanged
(exit 2). Pulled runs get local ids (r12) and keep their global ids; baselines (latest~1, branch:main)
resolve over local and pulled runs.`

  static override examples = [
    '<%= config.bin %> history pull ghcr.io/acme/shop/bakedoctor-history --since 14d',
    '<%= config.bin %> history pull --branch main --limit 20',
  ]

  static override args = historyArgs

  static override flags = {
    ...connectionFlags,
    ...filterFlags,
    'max-record-size': Flags.integer({description: 'largest compressed run record to accept, bytes', default: 16 * 1024 * 1024, min: 64}),
  }

  async run(): Promise<PullResult> {
    const {args, flags} = await this.parse(HistoryPull)
    const {pullHistory} = await import('../../services/history.js')
    const result = await pullHistory({...(await connectionOf(args.ref, flags)), ...(await filterOf(flags)), maxRecordBytes: flags['max-record-size']})
    const {renderPullResult} = await import('../../output/history-text.js')
    this.out(renderPullResult(result))
    for (const n of result.notes) this.note(`note: ${n}`)
    return result
  }
}
