import type {StreamEvent} from '../domain/events/stream-event.js'
import {shouldUseTui} from '../ui/tty.js'
import {BuildProgressPrinter} from './build-progress.js'

export interface BuildProgressView {
  onEvent(event: StreamEvent, target: string | undefined): void
  finish(): Promise<void>
}

/**
 * Build progress on stderr: on a terminal the live Ink view, on a pipe one plain line per finished
 * step (prefixed with the target when several are built), nothing with --json.
 */
export async function startBuildProgress(options: {json: boolean; multiTarget: boolean; note: (line: string) => void}): Promise<BuildProgressView> {
  if (options.json) return {onEvent() {}, async finish() {}}
  if (shouldUseTui(process.stderr)) {
    const live = (await import('../ui/render-build.js')).startLiveBuildView({stdout: process.stderr})
    return {onEvent: (event, target) => live.push(event, target), finish: () => live.finish()}
  }
  const printers = new Map<string, BuildProgressPrinter>()
  return {
    onEvent(event, target) {
      const key = target ?? ''
      let printer = printers.get(key)
      if (!printer) printers.set(key, (printer = new BuildProgressPrinter(options.note, options.multiTarget && target ? `[${target}] ` : '')))
      printer.push(event)
    },
    async finish() {},
  }
}

/**
 * Runs a build with its progress view, Ctrl-C aborting it (the drivers record the run as
 * cancelled); the view is finished whatever happens.
 */
export async function withBuildProgress<T>(
  options: {json: boolean; multiTarget: boolean; note: (line: string) => void},
  build: (onEvent: BuildProgressView['onEvent'], signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController()
  const onSigint = (): void => controller.abort()
  process.once('SIGINT', onSigint)
  const progress = await startBuildProgress(options)
  try {
    return await build(progress.onEvent, controller.signal)
  } finally {
    process.off('SIGINT', onSigint)
    await progress.finish()
  }
}
