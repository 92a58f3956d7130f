/**
 * The work a bake definition may ask of the evaluator. buildx has no such limits (a hostile file
 * can hang or exhaust it); bakedoctor refuses instead, naming the limit, so that it is safe to point
 * at any file. Every limit is far above what real bake files need (the largest in the test corpus
 * evaluates in under 20,000 steps, nests under 20 levels).
 */
export const BAKE_LIMITS = {
  /** bytes of one bake file, checked before parsing (hcl2json's memory grows far faster than its input) */
  fileBytes: 1024 * 1024,
  /** nesting of evaluation: expressions, variable → variable and function → function chains */
  depth: 200,
  /** evaluated expression nodes, loop iterations, produced list / map elements, string arguments / 256 (hostile files reach it in ~0.3 s of CPU) */
  steps: 500_000,
  /** wall-clock time of one evaluation, ms: with hcl2json's deadline (HCL_PARSE_DEADLINE_MS, 4 s) a bake file's whole path stays well under 10 s */
  millis: 4_000,
  /** characters of any one string value (a template that doubles itself per level) */
  stringChars: 1024 * 1024,
} as const

/** A limit was hit: not an EvalError, so `can()` / `try()` cannot swallow it. */
export class BudgetExceeded extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message)
    this.name = 'BudgetExceeded'
  }
}

const TIME_CHECK_EVERY = 4096

export class EvalBudget {
  private steps = 0
  private depth = 0
  private readonly deadline: number

  constructor(
    private readonly limits: {depth: number; steps: number; millis: number; stringChars: number} = BAKE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = now() + limits.millis
  }

  /** One evaluation level deeper; `leave()` must follow. */
  enter(): void {
    if (++this.depth > this.limits.depth) {
      this.depth = 0
      throw new BudgetExceeded(`evaluation nests deeper than ${this.limits.depth} levels (a long chain of variables, inherits or function calls, or a deeply nested expression)`, 'flatten the chain: reference the final value directly instead of through many intermediate variables or calls')
    }
    this.charge(1)
  }

  leave(): void {
    this.depth--
  }

  /** `n` units of work (nodes evaluated, elements produced). */
  charge(n: number): void {
    const before = this.steps
    this.steps += n
    if (this.steps > this.limits.steps) {
      throw new BudgetExceeded(`evaluation needs more than ${this.limits.steps.toLocaleString('en-US')} steps (nested loops over large ranges, or functions that call each other several times per level)`, 'reduce the sizes of range() / for loops, or the number of nested calls')
    }
    if (Math.floor(before / TIME_CHECK_EVERY) !== Math.floor(this.steps / TIME_CHECK_EVERY) && this.now() > this.deadline) {
      throw new BudgetExceeded(`evaluation took longer than ${this.limits.millis / 1000} s`, 'simplify the expressions of this bake file')
    }
  }

  /** A produced string must stay under the size limit. */
  checkString(s: string): void {
    if (s.length > this.limits.stringChars) {
      throw new BudgetExceeded(`a string value grows beyond ${this.limits.stringChars / 1024 / 1024} MiB (a template that repeats itself per level?)`, 'do not build strings by repeating a value at every level')
    }
  }
}
