/** The HTML report's quality findings: ideal quality, time to target, statistical efficiency, learning curves. */
import type { Analysis } from '../../analyse/schema.js';
import { qualityFindings } from '../quality-text.js';
import { escapeHtml as h } from './escape.js';

/** The wording the HTML's tables use, from quality-text.ts. */
export { qualityWithBudget, timeToTargetCell, trainingText } from '../quality-text.js';

export function qualityBlock(analysis: Analysis): string {
  const findings = qualityFindings(analysis);
  if (findings.length === 0) return '';
  return `<h3>Quality</h3><ul class="laws">${findings.map((f) => `<li><span class="name">${h(f.subject)}</span>: ${h(f.text)}</li>`).join('')}</ul>`;
}
