// Writes the service worker's precache list at build time: every file the
// build put in dist/ (the app, the shipped models, the presets) except the
// corpora (the page never reads them) and work files, plus a version that
// changes whenever any of those files does (so browsers install the new
// worker). The worker itself is hand-written: public/sw.js.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

const SKIP = [/^corpus\//, /(^|\/)\./, /^sw\.js$/, /\.map$/];

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((f) => !SKIP.some((re) => re.test(f)))
    .sort();
}

/** The precache list (as URLs relative to the worker's scope) and a content hash of it all. */
export function precacheManifest(root: string): { files: string[]; version: string } {
  const files = listFiles(root);
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update(readFileSync(path.join(root, f)));
  return { files: ['./', ...files.map((f) => `./${f}`)], version: hash.digest('hex').slice(0, 16) };
}

export function precachePlugin(): Plugin {
  let outDir = 'dist';
  return {
    name: 'rlhf-playground-precache',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const sw = path.join(outDir, 'sw.js');
      const { files, version } = precacheManifest(outDir);
      const source = readFileSync(sw, 'utf8')
        .replace(
          /^const PRECACHE = \[\]; \/\/ @precache$/m,
          `const PRECACHE = ${JSON.stringify(files)};`,
        )
        .replace(/^const VERSION = 'dev'; \/\/ @version$/m, `const VERSION = '${version}';`);
      if (!source.includes(version))
        throw new Error('public/sw.js lacks the @precache/@version lines');
      writeFileSync(sw, source);
    },
  };
}
