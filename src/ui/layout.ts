/** Screen geometry of the explain view for a terminal size (pure, so resizing is testable). */
export interface Layout {
  width: number
  height: number
  /** rows between the header (2) and the key hints (1) */
  body: number
  sideBySide: boolean
  tree: {width: number; height: number}
  detail: {width: number; height: number}
}

/** Wide terminals put tree and detail side by side; narrow ones stack them. One row is left free so ink never scrolls. */
export function computeLayout(columns: number, rows: number): Layout {
  const width = Math.max(40, columns)
  const height = Math.max(12, rows - 1)
  const body = height - 3
  const sideBySide = width >= 100
  if (sideBySide) {
    const treeWidth = Math.floor(width * 0.52)
    return {width, height, body, sideBySide, tree: {width: treeWidth, height: body}, detail: {width: width - treeWidth, height: body}}
  }
  const treeHeight = Math.max(5, Math.floor(body / 2))
  return {width, height, body, sideBySide, tree: {width, height: treeHeight}, detail: {width, height: body - treeHeight}}
}
