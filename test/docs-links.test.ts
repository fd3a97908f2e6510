/**
 * The README and docs/ link to each other; moving or renaming a page must not leave a dead link, and
 * docs/README.md must list every page.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenLinks, headingAnchors, linkedPages, linksIn } from './helpers/doc-links.js';

const ROOT = process.cwd();
const DOCS = readdirSync(join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`)
  .sort();

describe('documentation links', () => {
  it('every relative link between README.md and docs/*.md resolves, anchors included', () => {
    const broken = brokenLinks(ROOT, ['README.md', ...DOCS]).map((b) => `${b.file}:${b.line}: (${b.target}) ${b.reason}`);
    expect(broken).toEqual([]);
  });

  it('docs/README.md lists every page of docs/, and the README links to that index', () => {
    const listed = linkedPages(ROOT, 'docs/README.md');
    const missing = DOCS.filter((page) => page !== 'docs/README.md' && !listed.has(page));
    expect(missing, 'add a line for each to docs/README.md').toEqual([]);
    expect(linkedPages(ROOT, 'README.md').has('docs/README.md')).toBe(true);
  });
});

describe('the link checker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-doc-links-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs', 'a.md'), '# Page A\n\n## Exit codes\n\n## 1. The fixed budget, labelled honestly\n\n## `--workers auto`: the width\n');
  const check = (page: string, text: string): string[] => {
    writeFileSync(join(dir, page), text);
    return brokenLinks(dir, [page]).map((b) => `${b.line}:${b.target}`);
  };

  it('reports a missing file and a missing anchor, with the line', () => {
    expect(check('README.md', '# R\n\nsee [a](docs/a.md) and\n[gone](docs/gone.md), [bad](docs/a.md#nope)\n')).toEqual([
      '4:docs/gone.md',
      '4:docs/a.md#nope',
    ]);
  });

  it('accepts GitHub anchors of headings with punctuation and code, and links within the page', () => {
    expect(
      check('docs/b.md', '# B\n\n## Here\n\n[x](a.md#exit-codes) [y](a.md#1-the-fixed-budget-labelled-honestly) [z](a.md#--workers-auto-the-width) [h](#here) [up](../README.md)\n'),
    ).toEqual([]);
    expect(check('docs/c.md', '# C\n\n[h](#there)\n')).toEqual(['3:#there']);
  });

  it('ignores links in code, comments and external addresses', () => {
    expect(check('docs/d.md', '# D\n\n```md\n[x](nowhere.md)\n```\n`[y](nowhere.md)` <!-- [z](nowhere.md) --> [w](https://example.com/x.md)\n')).toEqual([]);
  });

  it('resolves links in a README snippet block from the repository root', () => {
    expect(check('docs/e.md', '# E\n\n[a](a.md)\n\n<!-- README snippet -->\nSee [docs/a.md](docs/a.md).\n')).toEqual([]);
    expect(check('docs/f.md', '# F\n\n[a](docs/a.md)\n')).toEqual(['3:docs/a.md']);
  });

  it('numbers repeated headings as GitHub does', () => {
    expect([...headingAnchors('# T\n## Flags\n## Flags\n```\n# not a heading\n```\n')]).toEqual(['t', 'flags', 'flags-1']);
    expect(linksIn('[a](x.md "title") ![img](y.png)').map((l) => l.target)).toEqual(['x.md', 'y.png']);
  });
});
