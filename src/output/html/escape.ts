/** Text and attribute values for HTML: everything the report prints passes through here. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c]!)
}
