import {Flags} from '../cli/oclif.js'
import {BakedoctorCommand} from '../base-command.js'
import type {Report} from '../domain/report/types.js'

export default class ReportCommand extends BakedoctorCommand<Report> {
  static override summary = 'Write a self-contained HTML report of the cache over a period: hit rates per run, target and platform, time lost per root cause and step, recurring root causes, the latest explanation.'

  static override examples = [
    '<%= config.bin %> report --html cache-report.html',
    '<%= config.bin %> report --html report.html --since 14d --branch main --target api',
  ]

  static override flags = {
    html: Flags.string({description: 'write the HTML report to this file (one file: no scripts, fonts or network)', required: true}),
    since: Flags.string({description: 'only runs since a span back from now (30m, 12h, 7d, 2w) or a date (2026-11-01)'}),
    target: Flags.string({description: 'only runs that built this target (and only its charts)'}),
    branch: Flags.string({description: 'only runs of this git branch'}),
    limit: Flags.integer({description: 'at most this many runs (the newest)', default: 200, min: 1}),
  }

  async run(): Promise<Report> {
    const {flags} = await this.parse(ReportCommand)
    const {buildRunReport} = await import('../services/report.js')
    const report = await buildRunReport({db: flags.db, cwd: process.cwd(), since: flags.since, target: flags.target, branch: flags.branch, limit: flags.limit})
    const {presentReportHtml} = await import('../output/report-html.js')
    this.out(await presentReportHtml(report, flags.html))
    return report
  }
}
