import {Flags} from '../cli/oclif.js'
import {BakedoctorCommand} from '../base-command.js'
import type {RunSummary} from '../adapters/db/index-store.js'
import {terminalWidth} from '../ui/tty.js'

export default class Runs extends BakedoctorCommand<{runs: RunSummary[]}> {
  static override summary = 'List recorded runs: targets, platforms, hit rate, time-weighted hit rate, duration, status.'

  static override flags = {
    limit: Flags.integer({description: 'how many runs (newest first)', default: 20, min: 1}),
    target: Flags.string({description: 'only runs that built this target'}),
    branch: Flags.string({description: 'only runs of this git branch'}),
  }

  async run(): Promise<{runs: RunSummary[]}> {
    const {flags} = await this.parse(Runs)
    const {listRuns} = await import('../services/runs.js')
    const result = await listRuns({db: flags.db, cwd: process.cwd(), limit: flags.limit, target: flags.target, branch: flags.branch})
    const {renderRunList} = await import('../output/runs-text.js')
    this.out(renderRunList(result.runs, {width: terminalWidth(process.stdout)}))
    return {runs: result.runs}
  }
}
