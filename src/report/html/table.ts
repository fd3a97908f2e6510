/** HTML tables for report.html: sortable (the client script sorts on header clicks) and plain. Every cell is escaped by its column. */
import { MISSING } from '../../config/format.js';
import { escapeHtml as h } from './escape.js';

export interface Col<T> {
  title: string;
  numeric?: boolean;
  /** Sort key; null sorts last. */
  sort?: (row: T) => number | string | null;
  /** Inner HTML of the cell (already escaped). */
  html: (row: T) => string;
}

export function sortableTable<T>(id: string, cols: Array<Col<T>>, rows: readonly T[]): string {
  const head = cols
    .map((c) => `<th scope="col"${c.numeric ? ' class="num" data-type="number"' : ''}><button type="button">${h(c.title)}</button></th>`)
    .join('');
  const body = rows
    .map((r) => {
      const tds = cols.map((c) => {
        const inner = c.html(r);
        const key = c.sort ? c.sort(r) : null;
        const sortAttr = c.sort ? ` data-sort="${key === null || (typeof key === 'number' && !Number.isFinite(key)) ? '' : h(String(key))}"` : '';
        const cls = [c.numeric ? 'num' : '', inner === MISSING ? 'na' : ''].filter(Boolean).join(' ');
        return `<td${cls ? ` class="${cls}"` : ''}${sortAttr}>${inner}</td>`;
      });
      return `<tr>${tds.join('')}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="sortable" id="${h(id)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A plain table of text cells (escaped here); `numeric` marks right-aligned columns; `classes` adds a class per cell. */
export function plainTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, opts: { numeric?: readonly boolean[]; classes?: (row: number, col: number) => string; id?: string; className?: string } = {}): string {
  const num = (i: number) => (opts.numeric?.[i] ? ' class="num"' : '');
  const head = header.map((t, i) => `<th scope="col"${num(i)}>${h(t)}</th>`).join('');
  const body = rows
    .map((row, r) =>
      `<tr>${row
        .map((cell, c) => {
          const cls = [opts.numeric?.[c] ? 'num' : '', cell === MISSING ? 'na' : '', opts.classes?.(r, c) ?? ''].filter(Boolean).join(' ');
          return `<td${cls ? ` class="${h(cls)}"` : ''}>${h(cell)}</td>`;
        })
        .join('')}</tr>`,
    )
    .join('');
  const id = opts.id ? ` id="${h(opts.id)}"` : '';
  return `<div class="table-wrap"><table${id}${opts.className ? ` class="${h(opts.className)}"` : ''}><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

export const num = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
