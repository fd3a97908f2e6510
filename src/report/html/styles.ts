/** The report's stylesheet: inline, no web fonts, readable when printed. */
export const STYLES = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --panel: #f6f8fa; --accent: #0969da;
  --bad: #cf222e; --good: #1a7f37; --warn: #9a6700; font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg); line-height: 1.45; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 18px 0 8px; }
.sub { color: var(--muted); margin: 0; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
.machine dt { font-weight: 600; }
ul.laws { margin: 6px 0; padding-left: 20px; }
ul.laws li { margin: 3px 0; }
.ctx { color: var(--muted); }
.name { font-weight: 600; overflow-wrap: anywhere; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px 10px; background: #fff; }
.chart-box { position: relative; width: 100%; }
.toolbar { display: flex; gap: 6px; justify-content: flex-end; margin-bottom: 4px; }
.toolbar button, th button { font: inherit; cursor: pointer; }
.toolbar button { font-size: 0.8rem; padding: 2px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); }
.toolbar button[aria-pressed="true"] { background: #ddf4ff; border-color: var(--accent); }
figcaption { font-size: 0.8rem; color: var(--muted); margin-top: 4px; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th { position: sticky; top: 0; background: var(--panel); }
th button { border: 0; background: none; padding: 0; font-weight: 600; color: inherit; text-align: inherit; }
th[aria-sort="ascending"] button::after { content: " ▲"; }
th[aria-sort="descending"] button::after { content: " ▼"; }
td.na { color: var(--muted); }
table.sortable td { white-space: nowrap; }
table.sortable td .name, table.sortable td .code { display: inline-block; min-width: 14ch; max-width: 40ch; white-space: normal; overflow-wrap: anywhere; }
table.env th { width: 16em; font-weight: 600; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.8rem; font-weight: 600; white-space: nowrap; }
.v-regressed, .failed { background: #ffebe9; color: var(--bad); }
.v-improved, .passed { background: #dafbe1; color: var(--good); }
.v-unchanged { background: #eaeef2; color: var(--muted); }
.v-inconclusive { background: #fff8c5; color: var(--warn); }
ul.warnings { padding-left: 20px; }
ul.warnings li { margin: 4px 0; }
.code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.85em; overflow-wrap: anywhere; }
.banner { border-left: 4px solid var(--warn); }
footer { color: var(--muted); font-size: 0.8rem; margin-top: 40px; }
@media (max-width: 640px) { .charts { grid-template-columns: 1fr; } }
`;
