import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import type {BrowserContext} from 'playwright-core'
import {PROJECT_ROOT} from './cli.js'

/** Debian's `chromium` package: the only browser the tests use (never a downloaded one). */
export const CHROMIUM = process.env.BAKEDOCTOR_CHROMIUM ?? '/usr/bin/chromium'

/** Browser tests skip only when Chromium is missing outside CI; in CI (or with BAKEDOCTOR_E2E=1) they must run. */
export function chromiumSkipReason(): string | undefined {
  const mandatory = process.env.BAKEDOCTOR_E2E === '1' || process.env.BAKEDOCTOR_CI === 'true' || process.env.CI === 'true'
  if (existsSync(CHROMIUM) || mandatory) return undefined
  return `no Chromium at ${CHROMIUM} (install Debian's chromium package)`
}

/** Where tests leave what a person may want to look at (screenshots): `test-artifacts/`, or $BAKEDOCTOR_ARTIFACTS. */
export const ARTIFACTS = process.env.BAKEDOCTOR_ARTIFACTS ?? path.join(PROJECT_ROOT, 'test-artifacts')

/** A headless Chromium with a fresh profile, no network chatter of its own; closed and removed by `close`. */
export async function launchChromium(options: {width?: number; height?: number} = {}): Promise<{context: BrowserContext; close: () => Promise<void>}> {
  const {chromium} = await import('playwright-core')
  const profile = mkdtempSync(path.join(tmpdir(), 'bakedoctor-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: {width: options.width ?? 1240, height: options.height ?? 900},
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  })
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, {recursive: true, force: true})
    },
  }
}
