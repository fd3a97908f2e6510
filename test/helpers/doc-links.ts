/**
 * Relative links between README.md and docs/*.md, and whether they resolve: the target file exists and,
 * for a `#fragment`, the target page has a heading with that GitHub anchor. Written here rather than
 * taken from a link checker because the rules are few and one is ours: a `<!-- README snippet -->`
 * block (see COMMON.md) is written for README.md, so its links resolve from the repository root.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const README_SNIPPET = '<!-- README snippet -->';

export interface DocLink {
  /** The page the link is in, relative to the repository root. */
  file: string;
  line: number;
  target: string;
}

export interface BrokenLink extends DocLink {
  reason: string;
}

/** Each line of markdown, or `inFence(line)` for the lines of fenced code blocks (their fences included). */
function mapFences(markdown: string, inFence: (line: string) => string): string {
  let fence: string | null = null;
  return markdown
    .split('\n')
    .map((line) => {
      const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence === null && marker === undefined) return line;
      if (fence === null) fence = marker!;
      else if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      return inFence(line);
    })
    .join('\n');
}

const blank = (text: string): string => text.replace(/[^\n]/g, ' ');

/**
 * Markdown without what cannot hold a link: fenced code blocks, inline code spans and HTML comments
 * are blanked (line breaks and offsets kept, so line numbers stay right).
 */
export function stripCode(markdown: string): string {
  return mapFences(markdown, blank)
    .replace(/<!--[\s\S]*?-->/g, blank)
    .replace(/(`+)[^`\n][\s\S]*?\1/g, blank);
}

/** Inline links and images, `[text](target)` and `![alt](target "title")`, with their line numbers. */
export function linksIn(markdown: string): { line: number; target: string; offset: number }[] {
  const text = stripCode(markdown);
  const links: { line: number; target: string; offset: number }[] = [];
  for (const m of text.matchAll(/!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const offset = m.index ?? 0;
    links.push({ line: text.slice(0, offset).split('\n').length, target: m[1]!, offset });
  }
  return links;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  // Inline code stays: a heading's `code` counts for its anchor.
  for (const line of mapFences(markdown, () => '').split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const text = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/** Every relative link of the given pages (paths relative to root) that does not resolve. */
export function brokenLinks(root: string, pages: string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (path: string): Set<string> => {
    let set = anchorsOf.get(path);
    if (set === undefined) {
      set = headingAnchors(readFileSync(path, 'utf8'));
      anchorsOf.set(path, set);
    }
    return set;
  };
  for (const page of pages) {
    const path = resolve(root, page);
    const markdown = readFileSync(path, 'utf8');
    const snippetAt = markdown.indexOf(README_SNIPPET);
    for (const { line, target, offset } of linksIn(markdown)) {
      if (EXTERNAL.test(target)) continue;
      const [file = '', fragment] = target.split('#', 2);
      const base = snippetAt !== -1 && offset > snippetAt ? resolve(root) : dirname(path);
      const resolved = file === '' ? path : resolve(base, decodeURIComponent(file));
      const link = { file: page, line, target };
      if (!existsSync(resolved)) {
        broken.push({ ...link, reason: `${relative(root, resolved) || resolved} does not exist` });
      } else if (fragment !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(fragment)) {
        broken.push({ ...link, reason: `${relative(root, resolved)} has no heading with the anchor #${fragment}` });
      }
    }
  }
  return broken;
}

/** The relative .md pages a page links to, resolved to paths relative to root. */
export function linkedPages(root: string, page: string): Set<string> {
  const path = resolve(root, page);
  const pages = new Set<string>();
  for (const { target } of linksIn(readFileSync(path, 'utf8'))) {
    if (EXTERNAL.test(target)) continue;
    const file = target.split('#', 1)[0]!;
    if (file.endsWith('.md')) pages.add(relative(root, join(dirname(path), decodeURIComponent(file))));
  }
  return pages;
}
