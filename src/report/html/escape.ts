/**
 * Escaping for the two places data enters report.html: HTML text/attributes and an inline
 * JSON <script> block. Names come from users' files and may be hostile.
 */

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in element content and in double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * JSON that cannot end its <script> element or open an HTML comment: every < > & becomes a
 * \u escape (so no `</script` or `<!--` can appear), as do the line separators U+2028/2029.
 * Non-finite numbers become null, as in the JSON files.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
