/**
 * `scale-bench open [report]`: show a report in a browser. On a desktop the platform opener
 * (xdg-open, open, start) gets the file; on a headless machine (SSH, container, CI) the folder is
 * served on 127.0.0.1 only, so the URL can be reached through a forwarded port.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../config/errors.js';
import { isScaleBenchResultsFile } from '../results/file.js';

export const REPORT_FILE = 'report.html';

/** When a run folder was made: results.json's startedAt, else the report's modification time (ms since epoch). */
function reportTime(runDir: string): number {
  try {
    const parsed = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { startedAt?: unknown };
    const t = typeof parsed.startedAt === 'string' ? Date.parse(parsed.startedAt) : NaN;
    if (Number.isFinite(t)) return t;
  } catch {
    // No or unreadable results.json: fall back to the file time.
  }
  return statSync(join(runDir, REPORT_FILE)).mtimeMs;
}

/** The newest reports/<run-id>/report.html, or null when there is none. */
export function findLatestReport(reportsDir: string): string | null {
  let entries;
  try {
    entries = readdirSync(reportsDir, { withFileTypes: true });
  } catch {
    return null;
  }
  let best: { path: string; time: number; name: string } | null = null;
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = join(reportsDir, e.name);
    if (!existsSync(join(dir, REPORT_FILE))) continue;
    const time = reportTime(dir);
    // Equal times: the later name wins, as run ids start with a timestamp.
    if (!best || time > best.time || (time === best.time && e.name > best.name)) best = { path: resolve(dir, REPORT_FILE), time, name: e.name };
  }
  return best?.path ?? null;
}

/**
 * Whether a folder is one scale-bench wrote reports to: it holds a report.html, or a results.json
 * that scale-bench wrote. Only such a folder is ever served: `open` must not turn an arbitrary file's
 * folder (`open /etc/passwd`) into a web server.
 */
export function isReportFolder(dir: string): boolean {
  return existsSync(join(dir, REPORT_FILE)) || isScaleBenchResultsFile(join(dir, 'results.json'));
}

/** A file `open` may show: a report file type, not hidden (the run folder's lock file, temp files). */
function servable(path: string): boolean {
  return Object.hasOwn(MEDIA_TYPES, extname(path).toLowerCase()) && !basename(path).startsWith('.');
}

/** A report.html path from a file or a run folder; throws with the fix (exit 2) when there is none or it is not a report. */
export function resolveReportPath(target: string): string {
  const abs = resolve(target);
  if (!existsSync(abs)) throw new UsageError(`${target} does not exist: pass a report.html or a reports/<run-id> folder, or run \`scale-bench run\` first.`);
  if (statSync(abs).isDirectory()) {
    const file = join(abs, REPORT_FILE);
    if (!existsSync(file)) throw new UsageError(`${target} has no ${REPORT_FILE}: run with \`--report html\` or pass the path of a report.html.`);
    return file;
  }
  if (!isReportFolder(dirname(abs)) || !servable(abs)) {
    throw new UsageError(
      `${target} is not a file of a scale-bench report folder (one that holds a report.html or results.json), so it is not opened or served: pass a report.html or a reports/<run-id> folder.`,
    );
  }
  return abs;
}

/** Whether a browser window can open: Linux/BSD need an X or Wayland display; macOS and Windows always have one. */
export function hasDesktop(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export interface OpenerCommand {
  command: string;
  args: string[];
  /** Windows: pass args to cmd.exe as written (its quoting is not the C runtime's). */
  verbatim: boolean;
}

export function openerCommand(platform: NodeJS.Platform, file: string): OpenerCommand {
  if (platform === 'darwin') return { command: 'open', args: [file], verbatim: false };
  // The empty "" is start's window title; without it a quoted path would be taken as the title.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', `"${file}"`], verbatim: true };
  return { command: 'xdg-open', args: [file], verbatim: false };
}

/** Starts a detached opener; resolves once it started, rejects if it could not (e.g. xdg-open missing). */
function launchDetached(cmd: OpenerCommand): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd.command, cmd.args, { detached: true, stdio: 'ignore', windowsVerbatimArguments: cmd.verbatim });
    child.once('error', fail);
    child.once('spawn', () => {
      child.unref();
      ok();
    });
  });
}

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface ServeOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Path, relative to the root, that "/" redirects to. */
  index?: string;
}

export interface Served {
  url: string;
  port: number;
  close(): Promise<void>;
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(`${text}\n`);
}

function toUrlPath(relPath: string): string {
  return relPath.split(/[\\/]/).map(encodeURIComponent).join('/');
}

/**
 * Serves `root` read-only on 127.0.0.1. Refuses any path with a ".." segment (raw or
 * percent-encoded), anything resolving outside the root (symlinks included), and requests
 * whose Host is not this loopback address (DNS rebinding).
 */
export function serveFolder(root: string, opts: ServeOptions = {}): Promise<Served> {
  const rootReal = realpathSync(root);
  let port = 0;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Only GET and HEAD are served.');
    const host = (req.headers.host ?? '').toLowerCase();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return send(res, 403, 'Unexpected Host header.');
    const rawPath = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
    if (!rawPath.startsWith('/')) return send(res, 400, 'Bad request path.');
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      return send(res, 400, 'Bad percent-encoding in the path.');
    }
    if (decoded.includes('\0') || decoded.split(/[\\/]+/).includes('..')) return send(res, 403, 'Paths outside the served folder are refused.');
    if (decoded === '/' && opts.index) {
      res.writeHead(302, { location: `/${toUrlPath(opts.index)}` });
      res.end();
      return;
    }
    let file = resolve(rootReal, `.${decoded}`);
    try {
      if (!inside(rootReal, file)) return send(res, 403, 'Paths outside the served folder are refused.');
      if (statSync(file).isDirectory()) file = join(file, REPORT_FILE);
      const real = realpathSync(file);
      if (!inside(rootReal, real)) return send(res, 403, 'Paths outside the served folder are refused.');
      const st = statSync(real);
      if (!st.isFile() || !servable(real)) return send(res, 404, 'Not found.');
      res.writeHead(200, {
        'content-type': MEDIA_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
        'content-length': st.size,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      createReadStream(real).pipe(res);
    } catch {
      send(res, 404, 'Not found.');
    }
  };
  const server = createServer(handler);
  return new Promise((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(e.code === 'EADDRINUSE' ? new Error(`port ${opts.port} is in use: pass another --port, or 0 for any free port.`) : e),
    );
    // Loopback only: the report may describe private machines and code.
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      const path = opts.index ? `/${toUrlPath(opts.index)}` : '/';
      ok({
        url: `http://127.0.0.1:${port}${path}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

export interface OpenOptions {
  /** Port for serving; 0 (default) picks a free one. */
  port?: number;
  /** Folder to serve (default: the report's own folder); must contain the report. */
  root?: string;
  /** Serve even when a desktop is available (`scale-bench open --serve`). */
  forceServe?: boolean;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Starts the opener; tests replace it. */
  launch?: (cmd: OpenerCommand) => Promise<void>;
}

export type OpenResult = { opened: 'browser'; command: string[] } | { served: string; close(): Promise<void> };

/** Opens a report.html (or a run folder's) in a browser, or serves it on 127.0.0.1 and returns the URL. */
export async function openReport(target: string, opts: OpenOptions = {}): Promise<OpenResult> {
  const file = resolveReportPath(target);
  const platform = opts.platform ?? process.platform;
  const env = opts.env ?? process.env;
  if (!opts.forceServe && hasDesktop(platform, env)) {
    const cmd = openerCommand(platform, file);
    try {
      await (opts.launch ?? launchDetached)(cmd);
      return { opened: 'browser', command: [cmd.command, ...cmd.args] };
    } catch {
      // No opener installed (a minimal desktop): serving still gets the report to the user.
    }
  }
  const root = resolve(opts.root ?? dirname(file));
  const rootReal = realpathSync(root);
  const fileReal = realpathSync(file);
  if (!inside(rootReal, fileReal)) throw new Error(`${file} is not inside ${root}: pass a --root that contains the report.`);
  const served = await serveFolder(rootReal, { port: opts.port ?? 0, index: relative(rootReal, fileReal) });
  return { served: served.url, close: served.close };
}
