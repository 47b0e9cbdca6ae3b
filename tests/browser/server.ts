// A tiny static file server for the built app (dist/), on 127.0.0.1 and a free
// port the OS picks. node:http only: the browser tests must not depend on a
// dev server or on anything that could reach the network.
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

// The wasm backend is fetched with `WebAssembly.instantiateStreaming`, which
// refuses any MIME type but application/wasm; module workers need a JS type.
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.safetensors': 'application/octet-stream',
  '.woff2': 'font/woff2',
};

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticServer {
  url: string; // with a trailing slash
  /** Paths requested that were not found (a missing asset is a test failure). */
  misses: string[];
  close(): Promise<void>;
}

/** Maps a request path to a file under `root`, or null if it escapes root. */
export function resolveInRoot(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null;
  }
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return file;
}

/**
 * The headers that make a page cross-origin isolated (`crossOriginIsolated`
 * true), which SharedArrayBuffer and so tfjs's threaded wasm need.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export async function serveStatic(
  rootDir: string,
  opts: { isolated?: boolean } = {},
): Promise<StaticServer> {
  const root = path.resolve(rootDir);
  const misses: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const urlPath = req.url ?? '/';
      let file = resolveInRoot(root, urlPath);
      if (file === null) {
        res.writeHead(403).end();
        return;
      }
      try {
        if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
        const body = await readFile(file);
        res.writeHead(200, {
          'Content-Type': mimeType(file),
          'Content-Length': body.length,
          'Cache-Control': 'no-store',
          ...(opts.isolated ? ISOLATION_HEADERS : {}),
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        // Chromium asks for /favicon.ico by itself and logs a console error
        // on a 404; answer "no content" unless the app ships one.
        if (urlPath === '/favicon.ico') {
          res.writeHead(204).end();
          return;
        }
        misses.push(urlPath);
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    misses,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
