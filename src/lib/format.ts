/** `1.2s`, `340ms`, `2m05s` */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-'
  if (ms < 1000) return `${Math.round(ms)}ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)}s`
  const m = Math.floor(s / 60)
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`
}

/** `83%`; `-` when there is nothing to rate */
export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '-'
  return `${Math.round(rate * 1000) / 10}%`
}

export function formatRatio(hits: number, total: number): string {
  return `${hits}/${total}`
}


export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

/** Cuts `text` to `width` columns, ending with `…` when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return ''
  if (text.length <= width) return text
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`
}

/** `api,worker,+14`: as many items as fit in `width` columns, then how many more there are. */
export function fitList(items: readonly string[], width: number): string {
  const all = items.join(',')
  if (all.length <= width) return all
  for (let n = items.length - 1; n >= 0; n--) {
    const text = [...items.slice(0, n), `+${items.length - n}`].join(',')
    if (text.length <= width) return text
  }
  return `+${items.length}`
}

/** The shortest a cut cell gets: below this a cell says nothing. */
const MIN_CELL = 8

/**
 * How far cells must be cut to free `need` columns: the longest give up columns first, none below
 * MIN_CELL. Returns the cap no cut cell may exceed (Infinity when nothing has to be cut).
 */
function capFor(lengths: readonly number[], need: number): number {
  if (need <= 0) return Infinity
  let cap = Math.max(MIN_CELL, ...lengths)
  const freed = (c: number) => lengths.reduce((sum, l) => sum + Math.max(0, l - c), 0)
  while (cap > MIN_CELL && freed(cap) < need) cap--
  return cap
}

/**
 * A line of `cells` (joined as given) that fits `width` columns. `cut` lists the cells that may be
 * shortened, in priority levels: a level's cells give up columns together (longest first, ending with
 * `…`) before the next level is touched (`[[3, 5], 1]`: both values, then the place). The other cells
 * keep their text; the line is cut at its end only when that is not enough. Without a width (piped
 * output, scripts) nothing is cut.
 */
export function fitLine(cells: readonly string[], cut: readonly (number | readonly number[])[], width: number | undefined): string {
  if (width === undefined) return cells.join('')
  const out = [...cells]
  for (const level of cut) {
    const over = out.join('').length - width
    if (over <= 0) break
    const indexes = typeof level === 'number' ? [level] : level
    const cap = capFor(indexes.map((i) => out[i]!.length), over)
    for (const i of indexes) out[i] = truncate(out[i]!, cap)
  }
  return truncate(out.join(''), width)
}

/** Columns left for `columns` when a table of `rows` (two spaces between columns) must fit `width`. */
export function columnRoom(rows: readonly (readonly string[])[], columns: readonly number[], width: number): number {
  const count = Math.max(...rows.map((r) => r.length))
  let others = 2 * (count - 1)
  for (let c = 0; c < count; c++) if (!columns.includes(c)) others += Math.max(...rows.map((r) => r[c]?.length ?? 0))
  return width - others
}

/**
 * Left-aligned table with two spaces between columns. With `width` (a terminal), the cells of the
 * `cut` columns are shortened so the table fits; without it (piped output) nothing is cut.
 */
export function table(rows: string[][], options: {rightAlign?: number[]; width?: number; cut?: number[]} = {}): string {
  if (options.width !== undefined && options.cut?.length) {
    const widths = options.cut.map((c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)))
    const cap = capFor(widths, widths.reduce((a, b) => a + b, 0) - columnRoom(rows, options.cut, options.width))
    rows = rows.map((r) => r.map((cell, i) => (options.cut!.includes(i) ? truncate(cell, cap) : cell)))
  }
  const widths: number[] = []
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  return rows
    .map((r) => r.map((c, i) => (options.rightAlign?.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd())
    // the other columns alone may be wider than the terminal: then lines end cut
    .map((line) => (options.width !== undefined ? truncate(line, options.width) : line))
    .join('\n')
}
