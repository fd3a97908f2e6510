/**
 * The script report.html runs in the browser, as text: it is inlined, not bundled, and this
 * project compiles without DOM typings. Plain ES2017 so any current browser runs it.
 *
 * It reads the embedded JSON and draws one chart.js chart per panel, with the spec's round ticks
 * (the same as the PNGs: see chartjs-config.ts withTicks) and hover text that carries each point's
 * value and interval; wires the shared legends (a value shows or hides in every panel of a chart), the
 * filters (model, data set, mode, run show and hide panels) and the sortable tables.
 * `window.scaleBench` exposes the charts and a count of the visible series (tests and curious users).
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var dataEl = document.getElementById('scale-bench-data');
  var data = JSON.parse(dataEl ? dataEl.textContent || '{}' : '{}');
  var charts = {};
  var panels = {};

  function placeTicks(scale, ticks) {
    var labels = {};
    ticks.forEach(function (t) { labels[t.value] = t.label; });
    scale.afterBuildTicks = function (axis) { axis.ticks = ticks.map(function (t) { return { value: t.value }; }); };
    scale.ticks.callback = function (value) { var label = labels[Number(value)]; return label === undefined ? '' : label; };
  }

  (data.charts || []).forEach(function (c) {
    c.panels.forEach(function (p) {
      var canvas = document.getElementById('panel-' + p.id);
      if (!canvas || typeof Chart === 'undefined') return;
      var cfg = p.config;
      placeTicks(cfg.options.scales.x, c.xTicks);
      placeTicks(cfg.options.scales.y, p.yTicks || c.yTicks);
      var tooltip = cfg.options.plugins.tooltip;
      tooltip.filter = function (item) { return p.roles[item.datasetIndex] === 'measured'; };
      tooltip.callbacks = {
        title: function () { return ''; },
        label: function (item) { return item.raw && item.raw.tip ? item.raw.tip : item.dataset.label + ': ' + item.formattedValue; }
      };
      charts[p.id] = new Chart(canvas, cfg);
      panels[p.id] = { chart: c.id, keys: p.keys, roles: p.roles, element: canvas.parentElement };
    });
  });

  function eachPanel(chartId, fn) {
    Object.keys(panels).forEach(function (id) { if (panels[id].chart === chartId) fn(charts[id], panels[id]); });
  }

  Array.prototype.forEach.call(document.querySelectorAll('.legend button[data-key]'), function (btn) {
    btn.addEventListener('click', function () {
      var show = btn.getAttribute('aria-pressed') !== 'true';
      var key = btn.getAttribute('data-key');
      eachPanel(btn.getAttribute('data-chart'), function (chart, panel) {
        panel.keys.forEach(function (k, i) { if (k === key) chart.setDatasetVisibility(i, show); });
        chart.update();
      });
      btn.setAttribute('aria-pressed', String(show));
    });
  });

  /** Measured series on screen: in a panel the filters show, not hidden from the legend. */
  function visibleSeries() {
    var n = 0;
    Object.keys(panels).forEach(function (id) {
      var panel = panels[id];
      if (panel.element && panel.element.hidden) return;
      panel.roles.forEach(function (role, i) { if (role === 'measured' && charts[id].isDatasetVisible(i)) n++; });
    });
    return n;
  }

  var selects = document.querySelectorAll('select[data-filter]');
  function applyFilters() {
    var wanted = {};
    Array.prototype.forEach.call(selects, function (s) { if (s.value !== '') wanted[s.getAttribute('data-filter')] = s.value; });
    var shown = 0;
    var total = 0;
    Array.prototype.forEach.call(document.querySelectorAll('.panels'), function (grid) {
      var any = false;
      Array.prototype.forEach.call(grid.querySelectorAll('.panel'), function (el) {
        var match = Object.keys(wanted).every(function (field) { return el.getAttribute('data-' + field) === wanted[field]; });
        el.hidden = !match;
        total++;
        if (match) { shown++; any = true; }
      });
      var figure = grid.parentElement;
      if (figure) figure.hidden = !any;
    });
    var count = document.querySelector('.filter-count');
    if (count) count.textContent = shown === total ? '' : shown + ' of ' + total + ' panels shown';
  }
  Array.prototype.forEach.call(selects, function (s) { s.addEventListener('change', applyFilters); });

  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var headers = table.querySelectorAll('thead th');
    var tbody = table.tBodies[0];
    Array.prototype.forEach.call(tbody.rows, function (r, i) { r.setAttribute('data-index', String(i)); });
    Array.prototype.forEach.call(headers, function (th, col) {
      var btn = th.querySelector('button');
      if (!btn) return;
      btn.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var numeric = th.getAttribute('data-type') === 'number';
        var key = function (row) {
          var cell = row.cells[col];
          var raw = cell ? (cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent) : '';
          return raw === '' || raw === null ? null : numeric ? Number(raw) : raw.toLowerCase();
        };
        var rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (a, b) {
          var ka = key(a);
          var kb = key(b);
          // Missing values stay at the bottom whichever the direction.
          if (ka === null || kb === null) return ka === kb ? 0 : ka === null ? 1 : -1;
          var d = numeric ? ka - kb : ka < kb ? -1 : ka > kb ? 1 : 0;
          if (d === 0) d = Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index'));
          else if (!asc) d = -d;
          return d;
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
      });
    });
  });

  window.scaleBench = { charts: charts, data: data, visibleSeries: visibleSeries };
})();
`;
