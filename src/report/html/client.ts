/**
 * The script report.html runs in the browser, as text: it is inlined, not bundled, and this
 * project compiles without DOM typings. Plain ES2017 so any current browser runs it.
 *
 * It reads the embedded JSON, creates the charts (legend clicks show/hide a series with its fit,
 * tooltips format values with units), wires the log/linear toggles and makes tables sortable.
 * `window.scaleBench.charts` exposes the Chart instances (tests and curious users).
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var dataEl = document.getElementById('scale-bench-data');
  var data = JSON.parse(dataEl ? dataEl.textContent || '{}' : '{}');
  var charts = {};
  var fmt = function (v) {
    if (typeof v !== 'number' || !isFinite(v)) return 'n/a';
    return v.toLocaleString('en-US', { maximumSignificantDigits: 4 });
  };

  (data.charts || []).forEach(function (c) {
    var canvas = document.getElementById('chart-' + c.id);
    if (!canvas || typeof Chart === 'undefined') return;
    var cfg = c.config;
    var plugins = cfg.options.plugins;
    plugins.legend.labels.filter = function (item) { return c.legend[item.datasetIndex] !== false; };
    plugins.legend.onClick = function (_e, item, legend) {
      var chart = legend.chart;
      var group = c.groups[item.datasetIndex];
      var show = !chart.isDatasetVisible(item.datasetIndex);
      c.groups.forEach(function (g, i) { if (g === group) chart.setDatasetVisibility(i, show); });
      chart.update();
    };
    plugins.tooltip.callbacks = {
      title: function (items) { return items.length ? c.xTitle + ': ' + fmt(items[0].parsed.x) : ''; },
      label: function (item) { return item.dataset.label + ': ' + fmt(item.parsed.y) + ' (' + c.yTitle + ')'; }
    };
    charts[c.id] = new Chart(canvas, cfg);
  });

  function allPositive(chart, axis) {
    return chart.data.datasets.every(function (d) {
      return d.data.every(function (p) { return p[axis] > 0; });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('button[data-axis]'), function (btn) {
    btn.addEventListener('click', function () {
      var chart = charts[btn.getAttribute('data-chart')];
      var axis = btn.getAttribute('data-axis');
      if (!chart) return;
      var scale = chart.options.scales[axis];
      var toLog = scale.type !== 'logarithmic';
      if (toLog && !allPositive(chart, axis)) {
        btn.title = 'A log scale needs every value above zero.';
        return;
      }
      scale.type = toLog ? 'logarithmic' : 'linear';
      chart.update();
      btn.textContent = axis + ' axis: ' + (toLog ? 'log' : 'linear');
      btn.setAttribute('aria-pressed', String(toLog));
    });
  });

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

  window.scaleBench = { charts: charts, data: data };
})();
`;
