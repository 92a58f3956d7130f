import type {RateSeries} from '../../domain/report/types.js'
import {formatPercent, formatRatio, formatTime} from '../../lib/format.js'
import {esc} from './escape.js'

const WIDTH = 720
const HEIGHT = 220
const PAD = {left: 44, right: 16, top: 14, bottom: 40}

/**
 * Hit rate and time-weighted rate of one series as an inline SVG line chart: one point per run
 * (x: the run's place in the period, labelled with its id; y: 0–100 %). A run without a rate (no
 * cacheable steps, no known cost) has no point on that line. Each point carries a tooltip.
 */
export function renderRateChart(series: RateSeries, title: string): string {
  const n = series.points.length
  const plotW = WIDTH - PAD.left - PAD.right
  const plotH = HEIGHT - PAD.top - PAD.bottom
  const x = (i: number) => PAD.left + (n <= 1 ? plotW / 2 : (plotW * i) / (n - 1))
  const y = (rate: number) => PAD.top + plotH * (1 - rate)
  const parts: string[] = []
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}"/>`)
    parts.push(`<text class="axis" x="${PAD.left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${tick * 100}%</text>`)
  }
  // at most ~12 run labels on the x axis, always the first and the last
  const every = Math.max(1, Math.ceil(n / 12))
  series.points.forEach((p, i) => {
    if (i % every === 0 || i === n - 1) parts.push(`<text class="axis" x="${x(i).toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${esc(p.runId)}</text>`)
  })
  const line = (cls: string, pick: (p: RateSeries['points'][number]) => number | null, what: string) => {
    const pts = series.points.map((p, i) => ({p, i, rate: pick(p)})).filter((q): q is {p: RateSeries['points'][number]; i: number; rate: number} => q.rate !== null)
    if (pts.length > 1) parts.push(`<polyline class="line ${cls}" points="${pts.map((q) => `${x(q.i).toFixed(1)},${y(q.rate).toFixed(1)}`).join(' ')}"/>`)
    for (const q of pts) {
      const tip = `${q.p.runId} ${formatTime(q.p.createdAt)}: ${what} ${formatPercent(q.rate)}${cls === 'hit-rate' ? ` (${formatRatio(q.p.hits, q.p.cacheable)})` : ''}`
      parts.push(`<circle class="point ${cls}" data-run="${esc(q.p.runId)}" data-rate="${formatPercent(q.rate)}" cx="${x(q.i).toFixed(1)}" cy="${y(q.rate).toFixed(1)}" r="4"><title>${esc(tip)}</title></circle>`)
    }
  }
  line('time-weighted', (p) => p.timeWeightedHitRate, 'time-weighted')
  line('hit-rate', (p) => p.hitRate, 'hit rate')
  const legend = `<text class="legend hit-rate" x="${PAD.left}" y="${HEIGHT - 6}">● hit rate</text><text class="legend time-weighted" x="${PAD.left + 90}" y="${HEIGHT - 6}">● time-weighted</text>`
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>${parts.join('')}${legend}</svg>`
}

/** Horizontal bars for "time lost" tables: the bar's length is its share of the largest value. */
export function renderBar(value: number, max: number): string {
  const w = max > 0 ? Math.max(1, Math.round((160 * value) / max)) : 0
  return `<svg class="bar" width="160" height="12" viewBox="0 0 160 12" xmlns="http://www.w3.org/2000/svg" aria-hidden="true"><rect x="0" y="1" width="${w}" height="10"/></svg>`
}
