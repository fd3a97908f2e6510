import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLatestReport, hasDesktop, openReport, openerCommand, serveFolder, type OpenerCommand } from '../src/report/serve.js';
import { runCli } from './helpers/cli.js';

let root: string;

function makeRun(name: string, startedAt: string | null, mtime?: Date): string {
  const dir = join(root, 'reports', name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'report.html');
  writeFileSync(file, `<!doctype html><title>${name}</title>`);
  if (startedAt !== null) writeFileSync(join(dir, 'results.json'), JSON.stringify({ startedAt }));
  if (mtime) utimesSync(file, mtime, mtime);
  return file;
}

/** A raw HTTP GET: the path is sent exactly as written (no URL normalisation). */
function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', fail);
    req.end();
  });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'scale-bench-open-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('findLatestReport', () => {
  it('returns null without reports', () => {
    expect(findLatestReport(join(root, 'missing'))).toBeNull();
  });

  it('picks the newest by results.json startedAt, ignoring file times', () => {
    const old = new Date('2030-01-01T00:00:00Z'); // newest mtime, oldest run
    makeRun('a-old', '2024-01-01T00:00:00Z', old);
    const newest = makeRun('b-new', '2025-06-01T00:00:00Z', new Date('2020-01-01T00:00:00Z'));
    makeRun('c-mid', '2025-01-01T00:00:00Z');
    mkdirSync(join(root, 'reports', 'd-no-report'));
    expect(findLatestReport(join(root, 'reports'))).toBe(newest);
  });

  it('falls back to the report file time without results.json', () => {
    const late = makeRun('e-no-results', null, new Date('2026-01-01T00:00:00Z'));
    expect(findLatestReport(join(root, 'reports'))).toBe(late);
  });
});

describe('desktop detection and opener', () => {
  it('needs a display on Linux, not on macOS or Windows', () => {
    expect(hasDesktop('linux', {})).toBe(false);
    expect(hasDesktop('linux', { DISPLAY: ':0' })).toBe(true);
    expect(hasDesktop('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
    expect(hasDesktop('darwin', {})).toBe(true);
    expect(hasDesktop('win32', {})).toBe(true);
  });

  it('uses the platform opener', () => {
    expect(openerCommand('linux', '/r/report.html')).toEqual({ command: 'xdg-open', args: ['/r/report.html'], verbatim: false });
    expect(openerCommand('darwin', '/r/report.html').command).toBe('open');
    expect(openerCommand('win32', 'C:\\r\\report.html')).toEqual({ command: 'cmd', args: ['/c', 'start', '""', '"C:\\r\\report.html"'], verbatim: true });
  });

  it('opens in a browser on a desktop', async () => {
    const file = makeRun('f-open', '2025-01-02T00:00:00Z');
    const launched: OpenerCommand[] = [];
    const res = await openReport(join(root, 'reports', 'f-open'), {
      platform: 'linux',
      env: { DISPLAY: ':0' },
      launch: async (cmd) => void launched.push(cmd),
    });
    expect(res).toEqual({ opened: 'browser', command: ['xdg-open', file] });
    expect(launched).toHaveLength(1);
  });

  it('serves instead when the opener cannot start', async () => {
    makeRun('g-fallback', '2025-01-03T00:00:00Z');
    const res = await openReport(join(root, 'reports', 'g-fallback'), {
      platform: 'linux',
      env: { DISPLAY: ':0' },
      launch: () => Promise.reject(new Error('spawn xdg-open ENOENT')),
    });
    expect('served' in res).toBe(true);
    if ('served' in res) await res.close();
  });

  it('serves on a desktop when asked to', async () => {
    makeRun('g2-force', '2025-01-03T00:00:00Z');
    const res = await openReport(join(root, 'reports', 'g2-force'), {
      platform: 'darwin',
      env: {},
      forceServe: true,
      launch: () => Promise.reject(new Error('must not launch')),
    });
    expect('served' in res && res.served.startsWith('http://127.0.0.1:')).toBe(true);
    if ('served' in res) await res.close();
  });

  it('names the fix when there is no report', async () => {
    mkdirSync(join(root, 'empty-run'), { recursive: true });
    await expect(openReport(join(root, 'empty-run'), { platform: 'linux', env: {} })).rejects.toThrow(/has no report.html: run with `--report html`/);
    await expect(openReport(join(root, 'nope'), { platform: 'linux', env: {} })).rejects.toThrow(/does not exist/);
  });
});

describe('serving on 127.0.0.1', () => {
  it('serves the report over real HTTP on loopback and refuses escapes', async () => {
    makeRun('h-serve', '2025-01-04T00:00:00Z');
    writeFileSync(join(root, 'reports', 'secret.txt'), 'outside the run folder');
    const res = await openReport(join(root, 'reports', 'h-serve', 'report.html'), { platform: 'linux', env: {} });
    if (!('served' in res)) throw new Error('expected to serve without a display');
    try {
      const url = new URL(res.served);
      expect(url.hostname).toBe('127.0.0.1');
      expect(url.pathname).toBe('/report.html');
      const port = Number(url.port);
      const ok = await get(port, '/report.html');
      expect(ok.status).toBe(200);
      expect(ok.type).toBe('text/html; charset=utf-8');
      expect(ok.body).toContain('<title>h-serve</title>');
      expect((await get(port, '/')).status).toBe(302);
      for (const evil of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/a/../../secret.txt', '/..\\secret.txt']) {
        const r = await get(port, evil);
        expect(r.status, evil).toBe(403);
        expect(r.body).not.toContain('outside the run folder');
      }
      expect((await get(port, '/%E0%A4%A')).status).toBe(400);
      expect((await get(port, '/missing.png')).status).toBe(404);
      // DNS rebinding: a foreign Host header is refused.
      expect((await get(port, '/report.html', `evil.example:${port}`)).status).toBe(403);
    } finally {
      await res.close();
    }
  });

  it('refuses symlinks pointing out of the folder', async () => {
    const dir = join(root, 'linked');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(root, 'outside.txt'), 'secret');
    symlinkSync(join(root, 'outside.txt'), join(dir, 'link.txt'));
    const served = await serveFolder(dir);
    try {
      expect((await get(served.port, '/link.txt')).status).toBe(403);
    } finally {
      await served.close();
    }
  });

  it('reports a busy port with the fix', async () => {
    const first = await serveFolder(root);
    try {
      await expect(serveFolder(root, { port: first.port })).rejects.toThrow(`port ${first.port} is in use: pass another --port`);
    } finally {
      await first.close();
    }
  });
});

describe('open serves only a scale-bench report folder (issue 20.9)', () => {
  it('refuses a file whose folder holds no report.html or results.json, before serving anything (exit 2)', async () => {
    const dir = join(root, 'etc');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'passwd'), 'root:x:0:0');
    writeFileSync(join(dir, 'shadow'), 'root:$6$secret');
    await expect(openReport(join(dir, 'passwd'), { platform: 'linux', env: {} })).rejects.toThrow(
      /passwd is not a file of a scale-bench report folder \(one that holds a report\.html or results\.json\)/,
    );
    const cli = await runCli(['open', join(dir, 'passwd'), '--serve'], { timeoutMs: 20_000 });
    expect(cli.code).toBe(2);
    expect(cli.stdout).not.toMatch(/serving/);
    expect(cli.stderr).toMatch(/is not a file of a scale-bench report folder/);
    // A foreign results.json does not make a folder a report folder either.
    writeFileSync(join(dir, 'results.json'), '{"users": []}');
    await expect(openReport(join(dir, 'passwd'), { platform: 'linux', env: {} })).rejects.toThrow(/not a file of a scale-bench report folder/);
  });

  it('in a report folder, serves report files only: not hidden files such as the run lock, not other file types', async () => {
    makeRun('i-hidden', '2025-01-05T00:00:00Z');
    const run = join(root, 'reports', 'i-hidden');
    writeFileSync(join(run, '.scale-bench.lock'), '{"pid": 1}');
    writeFileSync(join(run, 'id_rsa'), 'PRIVATE KEY');
    await expect(openReport(join(run, 'id_rsa'), { platform: 'linux', env: {} })).rejects.toThrow(/not a file of a scale-bench report folder/);
    const res = await openReport(run, { platform: 'linux', env: {} });
    if (!('served' in res)) throw new Error('expected to serve without a display');
    try {
      const port = Number(new URL(res.served).port);
      expect((await get(port, '/report.html')).status).toBe(200);
      expect((await get(port, '/results.json')).status).toBe(200);
      for (const hidden of ['/.scale-bench.lock', '/id_rsa']) expect((await get(port, hidden)).status, hidden).toBe(404);
    } finally {
      await res.close();
    }
  });
});
