import {render} from 'ink'
import type {StreamEvent} from '../domain/events/stream-event.js'
import {BuildProgress} from './components/BuildProgress.js'
import {applyBuildEvent, countSteps, createBuildProgressModel} from './state/build-progress-state.js'

export interface LiveBuildView {
  push(event: StreamEvent, target: string | undefined): void
  /** last frame, then unmount */
  finish(): Promise<void>
}

/**
 * The live build view on a TTY (docs/architecture.md, "Builds"): steps as they start, hit cache, run and finish, with
 * the running step's last log line. Events arrive far faster than a terminal can repaint: the model
 * is updated per event, the frame at most every 100 ms.
 */
export function startLiveBuildView(options: {stdout: NodeJS.WriteStream}): LiveBuildView {
  const model = createBuildProgressModel()
  // Static prints only the items appended since its last render: hand it the whole (growing) list
  const frame = () => <BuildProgress finished={[...model.finished]} counts={countSteps(model)} now={Date.now()} width={options.stdout.columns || 100} />
  const app = render(frame(), {stdout: options.stdout, patchConsole: false, exitOnCtrlC: false})
  let dirty = false
  const timer = setInterval(() => {
    if (!dirty) return
    dirty = false
    app.rerender(frame())
  }, 100)
  return {
    push(event, target) {
      applyBuildEvent(model, event, target)
      dirty = true
    },
    async finish() {
      clearInterval(timer)
      app.rerender(frame())
      app.unmount()
      await app.waitUntilExit()
    },
  }
}
