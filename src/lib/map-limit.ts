/**
 * Runs `work` over `items`, at most `limit` at once, starting them in input order; the results keep
 * the input order. After a failure no further item starts; the ones running finish (nothing is left
 * in flight when the caller closes its connections), and the failure of the earliest item in input
 * order is thrown: every item before it has run, so which error is reported never depends on timing.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  const failures = new Map<number, unknown>()
  let next = 0
  const worker = async (): Promise<void> => {
    while (failures.size === 0 && next < items.length) {
      const i = next++
      try {
        out[i] = await work(items[i] as T, i)
      } catch (error) {
        failures.set(i, error)
      }
    }
  }
  const workers = Math.min(Math.max(1, Math.floor(limit) || 1), items.length)
  await Promise.all(Array.from({length: workers}, worker))
  if (failures.size > 0) throw failures.get(Math.min(...failures.keys()))
  return out
}
