/**
 * report.html is an ordered list of sections (see HTML_SECTIONS in ../html.ts): each renders escaped
 * HTML from the same context, or '' when it has nothing to show. A new panel is one more entry there.
 */
import type { ReportInput } from '../types.js';
import type { ChartSpec } from './chart-specs.js';

export interface HtmlContext {
  input: ReportInput;
  /** Labels that tell the runs apart (run ids, or hosts across machines), raw. */
  labels: string[];
  /** The charts of the charts section, as embedded in the page's data. */
  specs: ChartSpec[];
  /** The history's trend chart (`run --history`, `report --history`), embedded beside them; null without one. */
  trendSpec: ChartSpec | null;
  /** The what-if panel's HTML (./what-if.ts; its scripts go at the end of the page), '' without laws to predict from. */
  whatIfSection: string;
}

export interface HtmlSection {
  /** The section element's id (the page's anchors). */
  id: string;
  /** Its link text in the page's navigation bar; the bar lists the sections that rendered something. */
  title: string;
  render(ctx: HtmlContext): string;
}
