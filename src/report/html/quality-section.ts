/** The HTML report's quality findings: ideal quality, time to target, statistical efficiency, learning curves. */
import type { Analysis } from '../../analyse/schema.js';
import { qualityFindings } from '../quality-text.js';
import { escapeHtml as h } from './escape.js';
import type { HtmlSection } from './section.js';

function qualityList(analysis: Analysis): string {
  const findings = qualityFindings(analysis);
  if (findings.length === 0) return '';
  return `<ul class="laws">${findings.map((f) => `<li><span class="name">${h(f.subject)}</span>: ${h(f.text)}</li>`).join('')}</ul>`;
}

export const qualitySection: HtmlSection = {
  id: 'quality',
  title: 'Quality',
  render({ input, labels }) {
    const blocks = input.runs.flatMap((run, i) => {
      const list = qualityList(run.analysis);
      return list === '' ? [] : [`${input.runs.length > 1 ? `<h3>${h(labels[i]!)}</h3>` : ''}${list}`];
    });
    return blocks.length === 0 ? '' : `<section id="quality"><h2>Quality</h2>${blocks.join('')}</section>`;
  },
};
