/**
 * The report's stylesheet: inline, no web fonts, readable when printed. Nothing may push the page
 * sideways at 1280 px: wide tables scroll inside their own box, long names wrap.
 */
export const STYLES = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --panel: #f6f8fa; --accent: #0969da;
  --bad: #cf222e; --good: #1a7f37; --warn: #9a6700; font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg); line-height: 1.4; }
main { max-width: 1240px; margin: 0 auto; padding: 12px 16px 40px; }
header h1 { font-size: 1.25rem; margin: 0; overflow-wrap: anywhere; }
header .sub { display: inline; }
nav { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 4px 0 0; font-size: 0.85rem; }
nav a { color: var(--accent); text-decoration: none; }
h2 { font-size: 1.15rem; margin: 22px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 14px 0 6px; overflow-wrap: anywhere; }
h4 { font-size: 0.9rem; margin: 6px 0 4px; overflow-wrap: anywhere; }
.sub { color: var(--muted); margin: 0; font-size: 0.9rem; }
#findings h2 { margin-top: 10px; }
.machine { color: var(--muted); font-size: 0.85rem; margin: 6px 0 0; overflow-wrap: anywhere; }
.banner { background: #fff8c5; border-left: 4px solid var(--warn); padding: 6px 10px; margin: 6px 0; border-radius: 4px; }
table.findings td { white-space: nowrap; }
table.findings td:first-child { font-weight: 600; white-space: normal; overflow-wrap: anywhere; min-width: 8ch; }
ul.sentences { list-style: none; margin: 8px 0 0; padding: 0; }
ul.sentences li { margin: 3px 0; padding-left: 1.4em; text-indent: -1.4em; overflow-wrap: anywhere; }
ul.sentences .mark { display: inline-block; width: 1.2em; text-indent: 0; font-weight: 700; }
.tone-bad .mark { color: var(--bad); } .tone-warn .mark { color: var(--warn); } .tone-good .mark { color: var(--good); } .tone-info .mark { color: var(--muted); }
details.more, details.table { margin: 8px 0; }
details > summary { cursor: pointer; font-weight: 600; margin: 4px 0; }
ul.laws { margin: 4px 0; padding-left: 18px; }
ul.laws li { margin: 2px 0; overflow-wrap: anywhere; }
.ctx { color: var(--muted); }
.name { font-weight: 600; overflow-wrap: anywhere; }
.filters { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; background: var(--bg);
  padding: 6px 0; border-bottom: 1px solid var(--line); font-size: 0.9rem; }
.filters select { font: inherit; max-width: 22ch; }
.filter-count { color: var(--muted); }
figure.chart { margin: 14px 0 18px; }
figure.chart figcaption h3 { margin: 0; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 10px; margin: 6px 0; font-size: 0.85rem; }
.legend button { font: inherit; cursor: pointer; border: 1px solid var(--line); border-radius: 12px; background: var(--panel); padding: 1px 10px; }
.legend button[aria-pressed="false"] { opacity: 0.4; text-decoration: line-through; }
.legend-style { color: var(--muted); padding: 1px 4px; }
.swatch { display: inline-block; width: 22px; height: 0; border-top: 3px solid var(--c); margin-right: 6px; vertical-align: middle; }
.swatch.style-fit { border-top-style: dashed; border-top-width: 2px; }
.swatch.style-ideal { border-top-style: dotted; border-top-width: 2px; }
.panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 10px; }
.panel { position: relative; height: 300px; min-width: 0; border: 1px solid var(--line); border-radius: 6px; padding: 4px; background: #fff; }
.models { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 4px 24px; }
section.model { min-width: 0; }
section.model table { font-size: 0.8rem; }
section.model th, section.model td { padding: 3px 6px; }
.ratio-grids { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 8px 16px; }
.ratio-grid { min-width: 0; }
.table-wrap { overflow-x: auto; max-width: 100%; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th { background: var(--panel); }
table.sortable thead th { position: sticky; top: 0; }
th button { font: inherit; cursor: pointer; border: 0; background: none; padding: 0; font-weight: 600; color: inherit; text-align: inherit; }
th[aria-sort="ascending"] button::after { content: " ▲"; }
th[aria-sort="descending"] button::after { content: " ▼"; }
td.na { color: var(--muted); }
td.bad { color: var(--bad); }
table.sortable td { white-space: nowrap; }
table.sortable td .name, table.sortable td .code { display: inline-block; min-width: 14ch; max-width: 40ch; white-space: normal; overflow-wrap: anywhere; }
table.env th { width: 16em; font-weight: 600; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.8rem; font-weight: 600; white-space: nowrap; }
.v-regressed, .failed { background: #ffebe9; color: var(--bad); }
.v-improved, .passed { background: #dafbe1; color: var(--good); }
.v-unchanged { background: #eaeef2; color: var(--muted); }
.v-inconclusive { background: #fff8c5; color: var(--warn); }
ul.warnings { padding-left: 20px; margin: 4px 0; }
ul.warnings li { margin: 3px 0; overflow-wrap: anywhere; }
.fix { color: var(--muted); }
.code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.85em; overflow-wrap: anywhere; }
footer { color: var(--muted); font-size: 0.8rem; margin-top: 32px; }
@media (max-width: 640px) { .panels, .models, .ratio-grids { grid-template-columns: 1fr; } }
`;
