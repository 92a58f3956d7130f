import {Args, Flags} from '../cli/oclif.js'
import {BakedoctorCommand} from '../base-command.js'
import type {RunDetail} from '../services/runs.js'
import {terminalWidth} from '../ui/tty.js'

export default class Show extends BakedoctorCommand<RunDetail> {
  static override summary = 'Show one run: steps grouped by target / platform / stage, cached or not, durations, errors.'

  static override args = {
    run: Args.string({description: 'run id (r12), latest, latest~1', default: 'latest'}),
  }

  static override flags = {
    internal: Flags.boolean({description: 'also list plumbing vertices (context transfer, exporting, cache import)'}),
    definitions: Flags.boolean({description: 'print each step\'s definition from the build\'s provenance (command, env, mounts, copies, source)'}),
  }

  async run(): Promise<RunDetail> {
    const {args, flags} = await this.parse(Show)
    const {showRun} = await import('../services/runs.js')
    const detail = await showRun({db: flags.db, cwd: process.cwd(), run: args.run})
    const {renderRunDetail} = await import('../output/runs-text.js')
    this.out(renderRunDetail(detail, {internal: flags.internal, definitions: flags.definitions, width: terminalWidth(process.stdout)}))
    return detail
  }
}
