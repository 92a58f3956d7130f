/**
 * The large bake file generator lives in bench/lib/large-bake.mjs (plain JS, so the benchmark can run
 * it without a TypeScript step); this module gives the tests its types.
 */
// @ts-expect-error plain ESM module shared with the benchmark
import {generateLargeBakeFile as generate} from '../../bench/lib/large-bake.mjs'

export interface LargeBakeOptions {
  /** number of resolved targets (default 1000) */
  targets?: number
  /** services per group (default 50) */
  groupSize?: number
}

/** A bake file with many targets in the style real repositories use (`_common` base, inherits, functions, a matrix, groups). */
export const generateLargeBakeFile: (options?: LargeBakeOptions) => string = generate
