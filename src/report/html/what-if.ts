/**
 * The "what if" panel of report.html: pick a model, slide the data size and the pool width, and
 * read the predicted wall time, throughput and memory (the cell's own, or the process peak RSS for
 * results that predate it, labelled as such) with their 95% prediction intervals, the laws used and
 * the warnings, as `scale-bench predict` would print them.
 *
 * Shared code, not a copy: the page embeds the fitted laws (PredictionModel, JSON) and the source
 * of the two factories `predict` itself runs, createPredictionKit (stats) and createCellEvaluator
 * (predict), via Function.prototype.toString. Both were written to use only their arguments and
 * built-ins, so the browser evaluates exactly the CLI's code at any (n, w), continuously, where a
 * grid computed ahead would have to be coarse or large. Only number formatting is the page's own.
 */
import type { ReportInput } from '../types.js';
import { createPredictionKit } from '../../stats/prediction-kit.js';
import { createCellEvaluator, EXTRAPOLATION_LIMITS } from '../../predict/evaluate.js';
import { observationGroups, predictionModel } from '../../predict/build.js';
import { MEMORY_LABELS, predictionTable } from '../../predict/evaluator.js';
import type { PredictionModel } from '../../predict/schema.js';
import { escapeHtml as h, jsonForScript } from './escape.js';

export interface WhatIfData {
  models: PredictionModel[];
  table: ReturnType<typeof predictionTable>;
  limits: typeof EXTRAPOLATION_LIMITS;
  /** Words for the memory metrics, passed to the evaluator as in Node. */
  memoryLabels: typeof MEMORY_LABELS;
}

/** The laws of the primary run, or null when no model has a time law to slide along. */
export function whatIfData(input: ReportInput): WhatIfData | null {
  const primary = input.runs[0];
  if (!primary) return null;
  const models = observationGroups(primary.result, primary.analysis).flatMap((g) => predictionModel(g) ?? []);
  return models.length ? { models, table: predictionTable(), limits: EXTRAPOLATION_LIMITS, memoryLabels: MEMORY_LABELS } : null;
}

function label(m: PredictionModel): string {
  return `${m.model} · ${m.dataset}${m.mode === 'job-parallel' ? '' : ` · ${m.mode}${m.variant.replace(/\|/g, ' ')}`}`;
}

const STYLE =
  '.what-if-controls{display:flex;flex-wrap:wrap;gap:12px 28px;align-items:center}' +
  '.what-if-controls label{display:flex;gap:8px;align-items:center}' +
  '.what-if-controls input[type=range]{width:220px}' +
  '.what-if-results{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}' +
  '.what-if-results dd{margin:0;font-variant-numeric:tabular-nums}';

/**
 * The panel's section, and the scripts to place after the page's own (its data as JSON, then the
 * code): both '' when there is nothing to predict.
 */
export function renderWhatIf(input: ReportInput): { section: string; scripts: string } {
  const data = whatIfData(input);
  if (!data) return { section: '', scripts: '' };
  const options = data.models.map((m, i) => `<option value="${i}">${h(label(m))}</option>`).join('');
  const row = (id: string, title: string) => `<dt id="what-if-${id}-title">${h(title)}</dt><dd id="what-if-${id}" data-estimate="" data-low="" data-high="">n/a</dd>`;
  const section =
    `<section id="what-if"><h2>What if…</h2><style>${STYLE}</style>` +
    `<p class="sub">Predictions from this run's fitted laws, computed in your browser by the same code as <span class="code">scale-bench predict</span>: ` +
    `estimate [95% prediction interval for one new measurement]. Widths beyond ${data.limits.warnWidth}x the widest measured and sizes beyond ` +
    `${data.limits.warnSize}x the largest are flagged.</p>` +
    `<div class="panel what-if-controls">` +
    `<label>model <select id="what-if-model">${options}</select></label>` +
    `<label>data size n = <output id="what-if-size-value"></output> <input type="range" id="what-if-size" min="0" max="1000" step="1" value="0"></label>` +
    `<label>workers w = <output id="what-if-workers-value"></output> <input type="range" id="what-if-workers" min="1" max="8" step="1" value="1"></label>` +
    `</div>` +
    `<dl class="what-if-results">${row('wall', 'wall time per trial')}${row('epoch', 'per epoch')}${data.models.some((m) => m.timeToTarget.length > 0) ? row('target', 'time to target') : ''}${row('job', 'time per job')}${row('throughput', 'samples/s')}${row('memory', data.memoryLabels[data.models[0]!.memoryMetric])}</dl>` +
    `<p id="what-if-law" class="sub"></p><ul id="what-if-warnings" class="warnings"></ul></section>`;
  return { section, scripts: `<script type="application/json" id="what-if-data">${jsonForScript(data)}</script>\n<script>${WHAT_IF_SCRIPT}</script>\n` };
}

/**
 * The panel's script. The two factories come first as expressions; the rest wires the controls.
 * The size slider is logarithmic, from the smallest measured size to `warnSize` times the largest;
 * the width slider runs from 1 to `refuseWidth` times the widest measured.
 */
export const WHAT_IF_SCRIPT = `(function () {
  'use strict';
  var el = document.getElementById('what-if-data');
  if (!el) return;
  var data = JSON.parse(el.textContent || '{}');
  var kit = (${createPredictionKit.toString()})();
  var evaluator = (${createCellEvaluator.toString()})(kit, data.limits, data.memoryLabels);
  var $ = function (id) { return document.getElementById(id); };
  function sig(x) { var r = Number(x.toPrecision(3)); return Math.abs(r) >= 100 ? r.toFixed(0) : r.toPrecision(3); }
  function count(x) { var a = Math.abs(x); return a >= 1e9 ? sig(x / 1e9) + 'G' : a >= 1e6 ? sig(x / 1e6) + 'M' : a >= 1e3 ? sig(x / 1e3) + 'k' : String(Math.round(x)); }
  function ms(x) { var a = Math.abs(x); return a >= 3600e3 ? sig(x / 3600e3) + ' h' : a >= 60e3 ? sig(x / 60e3) + ' min' : a >= 1e3 ? sig(x / 1e3) + ' s' : a >= 1 ? sig(x) + ' ms' : sig(x * 1e3) + ' µs'; }
  function bytes(x) { var m = x / 1048576; return m >= 1024 ? sig(m / 1024) + ' GiB' : sig(m) + ' MiB'; }
  function show(id, value, format) {
    var node = $('what-if-' + id);
    if (!node) return;
    node.setAttribute('data-estimate', value ? String(value.estimate) : '');
    node.setAttribute('data-low', value && value.low !== null ? String(value.low) : '');
    node.setAttribute('data-high', value && value.high !== null ? String(value.high) : '');
    node.textContent = !value ? 'n/a' : format(value.estimate) + (value.low === null || value.high === null ? ' [no interval]' : ' [' + format(value.low) + ', ' + format(value.high) + ']');
  }
  function model() { return data.models[Number($('what-if-model').value) || 0]; }
  function sizeAt(m, t) {
    var lo = Math.log(Math.min.apply(null, m.sizes)), hi = Math.log(Math.max.apply(null, m.sizes) * data.limits.warnSize);
    return Math.round(Number(Math.exp(lo + (hi - lo) * t / 1000).toPrecision(3)));
  }
  function reset() {
    var m = model();
    var widest = Math.max.apply(null, m.widths), largest = Math.max.apply(null, m.sizes), smallest = Math.min.apply(null, m.sizes);
    var size = $('what-if-size'), workers = $('what-if-workers');
    workers.max = String(Math.floor(widest * data.limits.refuseWidth));
    workers.value = String(widest);
    var lo = Math.log(smallest), hi = Math.log(largest * data.limits.warnSize);
    size.value = String(Math.round(1000 * (Math.log(largest * 4) - lo) / (hi - lo)));
    update();
  }
  function update() {
    var m = model();
    var n = sizeAt(m, Number($('what-if-size').value));
    var w = Number($('what-if-workers').value);
    $('what-if-size-value').textContent = count(n);
    $('what-if-workers-value').textContent = String(w);
    var p = evaluator.predict(m, n, w, data.table);
    document.getElementById('what-if').setAttribute('data-size', String(n));
    document.getElementById('what-if').setAttribute('data-workers', String(w));
    show('wall', p.wallMs, ms);
    show('epoch', p.epochMs, ms);
    show('target', p.timeToTargetMs, ms);
    show('job', p.timePerJobMs, ms);
    show('throughput', p.samplesPerSec, count);
    show('memory', p.memoryBytes, bytes);
    $('what-if-memory-title').textContent = data.memoryLabels[p.memoryMetric];
    document.getElementById('what-if-memory').setAttribute('data-metric', p.memoryMetric);
    var law = p.timeLaw;
    var text = '';
    if (law) {
      text = 'time: t ∝ n^' + law.exponent.toFixed(2) + ' at w=' + law.sizeLawWorkers + ' (sizes ' + law.sizes.map(count).join(', ') + ')';
      if (law.speedup) text += ' × ' + (m.replicaPerWorker ? w : 1) + '/S(' + w + '), S(' + w + ') = ' + law.speedup.speedup.estimate.toFixed(2) + ' from ' + (law.speedup.kind === 'usl' ? 'the USL' : 'Amdahl') + ' at n=' + count(law.speedup.size) + ' on widths ' + law.speedup.widths.join(', ');
    }
    if (p.memoryLaw) text += (text ? '; ' : '') + 'memory: ' + p.memoryLaw;
    $('what-if-law').textContent = text;
    var list = $('what-if-warnings');
    list.textContent = '';
    p.warnings.forEach(function (warning) { var li = document.createElement('li'); li.textContent = warning; list.appendChild(li); });
  }
  $('what-if-model').addEventListener('change', reset);
  $('what-if-size').addEventListener('input', update);
  $('what-if-workers').addEventListener('input', update);
  reset();
})();`;
