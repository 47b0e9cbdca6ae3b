// Enforces the dependency rules of DESIGN.md ("ui → lib → workers' API types →
// core; core imports nothing from the rest"; ui imports lib only) and PITFALLS trap 1 (no
// synchronous tensor reads) by scanning the source text. Plain fs and regular
// expressions, no parser: the rules are about import statements, which are
// regular enough once comments are removed. Every rule has a test below that
// feeds the checker a small in-memory violation and expects it flagged.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCANNED_DIRS = ['src', 'workers'];
const EXTENSIONS = ['.ts', '.js', '.svelte'];

type Layer = 'core' | 'lib' | 'ui' | 'workers' | 'app' | 'other';

interface ImportRef {
  spec: string;
  typeOnly: boolean;
  kind: 'static' | 'dynamic' | 'worker-url';
  line: number;
  target: string | null; // repo-relative path for relative specifiers
}

export interface Violation {
  rule: string;
  file: string;
  line: number;
  detail: string;
}

export function layerOf(file: string): Layer {
  if (file.startsWith('src/core/')) return 'core';
  if (file.startsWith('src/lib/')) return 'lib';
  if (file.startsWith('src/ui/')) return 'ui';
  if (file.startsWith('workers/')) return 'workers';
  if (file.startsWith('src/')) return 'app'; // src/main.ts: the page entry
  return 'other';
}

/** The page thread: everything bundled into the page rather than a worker. */
function onPageThread(file: string): boolean {
  const l = layerOf(file);
  return l === 'ui' || l === 'lib' || l === 'app';
}

/**
 * Blanks comments (keeping newlines so line numbers survive). With
 * `blankStrings` the contents of string and template literals go too, so that
 * identifier checks do not fire on prose. Regex literals are not recognised;
 * none in this code base contains a quote or a comment opener.
 */
export function stripSource(src: string, blankStrings: boolean): string {
  let out = '';
  let i = 0;
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? src.length : end;
      out += blank(src.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      out += blank(src.slice(i, stop));
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') j++;
        else if (c !== '`' && src[j] === '\n') break; // unterminated: stop at the line end
        j++;
      }
      const lit = src.slice(i, j + 1);
      out += blankStrings ? c + blank(lit.slice(1, -1)) + (lit.length > 1 ? c : '') : lit;
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Only the <script> blocks of a Svelte component, the rest blanked. */
function scriptOf(file: string, text: string): string {
  if (!file.endsWith('.svelte')) return text;
  let out = text.replace(/[^\n]/g, ' ');
  for (const m of text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
    const start = (m.index ?? 0) + m[0].indexOf('>') + 1;
    out = out.slice(0, start) + m[1] + out.slice(start + m[1].length);
  }
  return out;
}

function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function resolveRelative(from: string, spec: string, files: Map<string, string>): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec.split('?')[0]));
  const candidates = [base, `${base}.ts`, `${base}.js`, `${base}/index.ts`];
  if (base.endsWith('.js')) candidates.push(base.replace(/\.js$/, '.ts'));
  return candidates.find((c) => files.has(c)) ?? base;
}

export function importsOf(file: string, text: string, files: Map<string, string>): ImportRef[] {
  const code = stripSource(scriptOf(file, text), false);
  const refs: ImportRef[] = [];
  const add = (m: RegExpMatchArray, spec: string, typeOnly: boolean, kind: ImportRef['kind']) =>
    refs.push({
      spec,
      typeOnly,
      kind,
      line: lineAt(code, m.index ?? 0),
      target: resolveRelative(file, spec, files),
    });
  for (const m of code.matchAll(/\bimport\s+(type\s+)?[\w*{}\s,$]+?\s+from\s*(['"])([^'"]+)\2/g)) {
    add(m, m[3], Boolean(m[1]), 'static');
  }
  const reExport =
    /\bexport\s+(type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s*from\s*(['"])([^'"]+)\2/g;
  for (const m of code.matchAll(reExport)) add(m, m[3], Boolean(m[1]), 'static');
  for (const m of code.matchAll(/\bimport\s*(['"])([^'"]+)\1/g)) add(m, m[2], false, 'static');
  for (const m of code.matchAll(/\bimport\s*\(\s*(['"])([^'"]+)\1\s*\)/g)) {
    add(m, m[2], false, 'dynamic');
  }
  const workerUrl = /\bnew\s+URL\s*\(\s*(['"])([^'"]+)\1\s*,\s*import\.meta\.url/g;
  for (const m of code.matchAll(workerUrl)) add(m, m[2], false, 'worker-url');
  return refs;
}

const isTf = (spec: string) => spec.startsWith('@tensorflow/');
const isSvelte = (spec: string) =>
  spec === 'svelte' || spec.startsWith('svelte/') || spec.endsWith('.svelte');

// Globals that exist only in a window (core also runs in workers and Node).
const DOM_ONLY = /\b(document|window|localStorage|sessionStorage|HTMLElement|customElements)\b/;

/** Checks all rules over a map of repo-relative path → source text. */
export function checkArchitecture(files: Map<string, string>): Violation[] {
  const out: Violation[] = [];
  const flag = (rule: string, file: string, line: number, detail: string) =>
    out.push({ rule, file, line, detail });
  const graph = new Map<string, ImportRef[]>();
  for (const [file, text] of files) graph.set(file, importsOf(file, text, files));

  for (const [file, refs] of graph) {
    const layer = layerOf(file);
    for (const r of refs) {
      const to = r.target ? layerOf(r.target) : null;
      if (layer === 'core') {
        if (to && to !== 'core' && to !== 'other') {
          flag('core-is-self-contained', file, r.line, `imports ${r.spec} (${to})`);
        }
        if (isSvelte(r.spec) || r.spec === 'comlink') {
          flag('core-is-self-contained', file, r.line, `imports ${r.spec}`);
        }
      }
      // A Svelte component is UI; a runes module (`x.svelte.ts`, imported as
      // `./x.svelte`) is plain logic and belongs in lib.
      const component = r.target ? r.target.endsWith('.svelte') : r.spec.endsWith('.svelte');
      if (layer === 'lib' && (to === 'ui' || component)) {
        flag('lib-does-not-import-ui', file, r.line, `imports ${r.spec}`);
      }
      // The page's components speak to lib only: core's types reach them
      // re-exported by the lib module that uses them, workers' through lib's clients.
      if (layer === 'ui' && (to === 'core' || to === 'workers')) {
        flag('ui-imports-lib-only', file, r.line, `imports ${r.spec} (${to})`);
      }
      if ((layer === 'ui' || layer === 'lib') && isTf(r.spec)) {
        flag('no-tfjs-on-page', file, r.line, `imports ${r.spec}`);
      }
      if (layer === 'workers' && (to === 'ui' || to === 'lib' || to === 'app')) {
        flag('workers-import-core-only', file, r.line, `imports ${r.spec} (${to})`);
      }
    }
    const bare = stripSource(scriptOf(file, files.get(file) ?? ''), true);
    if (layer === 'core') {
      const m = DOM_ONLY.exec(bare);
      if (m) flag('core-is-self-contained', file, lineAt(bare, m.index), `uses ${m[1]}`);
    }
    for (const m of bare.matchAll(/\.\s*(dataSync|arraySync)\s*\(/g)) {
      flag('no-sync-reads', file, lineAt(bare, m.index ?? 0), `calls .${m[1]}()`);
    }
  }

  // The page thread must not pull tfjs in through any chain of runtime
  // imports (type-only imports are erased; worker URLs start a new realm).
  for (const file of graph.keys()) {
    if (!onPageThread(file)) continue;
    const seen = new Set<string>([file]);
    const queue: string[][] = [[file]];
    while (queue.length > 0) {
      const chain = queue.shift() as string[];
      for (const r of graph.get(chain[chain.length - 1]) ?? []) {
        if (r.typeOnly || r.kind === 'worker-url') continue;
        if (isTf(r.spec) && chain.length > 1) {
          flag('no-tfjs-on-page', file, 0, `reaches ${r.spec} via ${chain.join(' → ')}`);
        }
        if (r.target && graph.has(r.target) && !seen.has(r.target)) {
          seen.add(r.target);
          queue.push([...chain, r.target]);
        }
      }
    }
  }
  return out;
}

function listSources(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  let entries;
  try {
    entries = readdirSync(abs, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && EXTENSIONS.some((x) => e.name.endsWith(x)))
    .filter((e) => !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

const fake = (entries: Record<string, string>) => new Map(Object.entries(entries));
const rulesOf = (v: Violation[]) => [...new Set(v.map((x) => x.rule))].sort();

describe('architecture rules', () => {
  it('hold for the repository', () => {
    const files = new Map<string, string>();
    for (const dir of SCANNED_DIRS) {
      for (const f of listSources(dir)) files.set(f, readFileSync(path.join(ROOT, f), 'utf8'));
    }
    expect(files.size).toBeGreaterThan(0);
    const lines = checkArchitecture(files).map((v) => `${v.file}:${v.line} ${v.rule}: ${v.detail}`);
    expect(lines).toEqual([]);
  });

  describe('each rule flags a violation', () => {
    it('core imports lib, ui, workers, svelte or comlink', () => {
      for (const [spec, extra] of [
        ['../lib/state', 'src/lib/state.ts'],
        ['../ui/App.svelte', 'src/ui/App.svelte'],
        ['../../workers/backend', 'workers/backend.ts'],
        ['svelte', ''],
        ['comlink', ''],
      ]) {
        const files = fake({ 'src/core/a.ts': `import { x } from '${spec}';\n` });
        if (extra) files.set(extra, '');
        expect(rulesOf(checkArchitecture(files)), spec).toEqual(['core-is-self-contained']);
      }
      const typeOnly = fake({
        'src/core/a.ts': "import type { Api } from '../../workers/policy.worker';",
        'workers/policy.worker.ts': '',
      });
      expect(rulesOf(checkArchitecture(typeOnly))).toEqual(['core-is-self-contained']);
    });

    it('core uses a window-only global', () => {
      const files = fake({ 'src/core/a.ts': 'export const w = () => document.title;' });
      expect(rulesOf(checkArchitecture(files))).toEqual(['core-is-self-contained']);
      const prose = fake({ 'src/core/a.ts': "// no document here\nexport const s = 'window';" });
      expect(checkArchitecture(prose)).toEqual([]);
    });

    it('lib imports ui', () => {
      const files = fake({
        'src/lib/a.ts': "import Stage from '../ui/Stage.svelte';",
        'src/ui/Stage.svelte': '<p>hi</p>',
      });
      expect(rulesOf(checkArchitecture(files))).toEqual(['lib-does-not-import-ui']);
    });

    it('ui imports core or workers, even a type', () => {
      for (const [spec, target] of [
        ['../../core/labelers', 'src/core/labelers.ts'],
        ['../../../workers/backend-decision', 'workers/backend-decision.ts'],
      ]) {
        const files = fake({
          'src/ui/a/B.svelte': `<script lang="ts">import type { X } from '${spec}';</script>`,
          [target]: '',
        });
        expect(rulesOf(checkArchitecture(files)), spec).toEqual(['ui-imports-lib-only']);
      }
      const ok = fake({
        'src/ui/a/B.svelte': "<script>import { t } from '../../lib/i18n';</script>",
        'src/lib/i18n.ts': '',
      });
      expect(checkArchitecture(ok)).toEqual([]);
    });

    it('ui or lib imports tfjs, directly, by re-export, dynamically or through a chain', () => {
      const direct = fake({
        'src/ui/A.svelte': "<script>import * as tf from '@tensorflow/tfjs';</script>",
      });
      expect(rulesOf(checkArchitecture(direct))).toEqual(['no-tfjs-on-page']);
      const typeOnly = fake({ 'src/lib/a.ts': "import type { Tensor } from '@tensorflow/tfjs';" });
      expect(rulesOf(checkArchitecture(typeOnly))).toEqual(['no-tfjs-on-page']);
      const reExport = fake({ 'src/lib/a.ts': "export * from '@tensorflow/tfjs-core';" });
      expect(rulesOf(checkArchitecture(reExport))).toEqual(['no-tfjs-on-page']);
      const dynamic = fake({ 'src/lib/a.ts': "const tf = await import('@tensorflow/tfjs');" });
      expect(rulesOf(checkArchitecture(dynamic))).toEqual(['no-tfjs-on-page']);
      const chain = fake({
        'src/main.ts': "import './lib/a';",
        'src/lib/a.ts': "import { createGPT } from '../core/gpt';",
        'src/core/gpt.ts': "import * as tf from '@tensorflow/tfjs';",
      });
      const v = checkArchitecture(chain);
      expect(rulesOf(v)).toEqual(['no-tfjs-on-page']);
      expect(v.map((x) => x.file).sort()).toEqual(['src/lib/a.ts', 'src/main.ts']);
    });

    it('allows type-only chains and worker URLs from the page', () => {
      const files = fake({
        'src/lib/client.ts': [
          "import type { ProbeApi } from '../../workers/probe.worker';",
          "const url = new URL('../../workers/probe.worker.ts', import.meta.url);",
        ].join('\n'),
        'workers/probe.worker.ts': "import * as tf from '@tensorflow/tfjs';",
      });
      expect(checkArchitecture(files)).toEqual([]);
    });

    it('workers import ui or lib', () => {
      for (const [spec, target] of [
        ['../src/lib/state', 'src/lib/state.ts'],
        ['../src/ui/App.svelte', 'src/ui/App.svelte'],
      ]) {
        const files = fake({ 'workers/a.ts': `import type { X } from '${spec}';`, [target]: '' });
        expect(rulesOf(checkArchitecture(files)), spec).toEqual(['workers-import-core-only']);
      }
      const ok = fake({
        'workers/a.ts': "import { createGPT } from '../src/core/gpt';\nimport './backend';",
        'src/core/gpt.ts': '',
        'workers/backend.ts': '',
      });
      expect(checkArchitecture(ok)).toEqual([]);
    });

    it('anything calls dataSync or arraySync', () => {
      for (const call of ['x.dataSync()', 'y.arraySync()', 'loss\n  .dataSync ()']) {
        const files = fake({ 'workers/a.ts': `const v = ${call};` });
        expect(rulesOf(checkArchitecture(files)), call).toEqual(['no-sync-reads']);
      }
      const prose = fake({
        'workers/a.ts': "// never x.dataSync() here\nconst s = 'a.arraySync()';\nawait t.data();",
      });
      expect(checkArchitecture(prose)).toEqual([]);
    });

    it('reports the line of a violation', () => {
      const files = fake({ 'src/core/a.ts': "/* header\n */\n\nimport 'comlink';\n" });
      expect(checkArchitecture(files)).toEqual([
        {
          rule: 'core-is-self-contained',
          file: 'src/core/a.ts',
          line: 4,
          detail: 'imports comlink',
        },
      ]);
    });
  });
});
