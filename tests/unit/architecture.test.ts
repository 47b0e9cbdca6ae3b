// Enforces the dependency rules of DESIGN.md ("ui → lib → workers' API types →
// core; core imports nothing from the rest"; ui imports lib only; no import
// loops) with dependency-cruiser and the rules in .dependency-cruiser.cjs, and
// two rules no import graph can see by scanning the source text: core uses no
// window-only global, and nothing calls a synchronous tensor read (PITFALLS
// trap 1). Every rule has a test below that feeds it a small violation and
// expects it flagged.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCANNED_DIRS = ['src', 'workers'];
const EXTENSIONS = ['.ts', '.js', '.svelte'];

interface RuleConfig {
  name: string;
  to: { reachable?: boolean };
}
const require = createRequire(import.meta.url);
const config = require(path.join(ROOT, '.dependency-cruiser.cjs')) as {
  forbidden: RuleConfig[];
  options: Record<string, unknown>;
};

/**
 * Runs the rules over `dirs` (relative to `baseDir`). Reachability rules run on
 * the runtime graph (type-only imports dropped); the rest on the full one.
 */
async function cruiseRules(baseDir: string, dirs: string[]) {
  const tsConfig = baseDir === ROOT ? extractTSConfig(path.join(ROOT, 'tsconfig.json')) : undefined;
  const run = async (rules: RuleConfig[], typeImports: boolean) => {
    const result = await cruise(
      dirs,
      {
        ...config.options,
        baseDir,
        tsConfig: tsConfig ? { fileName: path.join(ROOT, 'tsconfig.json') } : undefined,
        tsPreCompilationDeps: typeImports,
        ruleSet: { forbidden: rules },
        validate: true,
      } as Parameters<typeof cruise>[1],
      undefined,
      tsConfig ? { tsConfig } : undefined,
    );
    return (result.output as ICruiseResult).summary.violations;
  };
  const chains = config.forbidden.filter((r) => r.to.reachable);
  const direct = config.forbidden.filter((r) => !r.to.reachable);
  return [...(await run(direct, true)), ...(await run(chains, false))].filter(
    (v) => v.rule.severity !== 'ignore',
  );
}

const describeViolation = (v: IViolation) =>
  `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (loop ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`;

export interface Violation {
  rule: string;
  file: string;
  line: number;
  detail: string;
}

// Globals that exist only in a window (core also runs in workers and Node).
const DOM_ONLY = /\b(document|window|localStorage|sessionStorage|HTMLElement|customElements)\b/;

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

/** The rules an import graph cannot see, over repo-relative path → source text. */
export function checkSource(files: Map<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of files) {
    const bare = stripSource(scriptOf(file, text), true);
    if (file.startsWith('src/core/')) {
      const m = DOM_ONLY.exec(bare);
      if (m)
        out.push({
          rule: 'core-is-self-contained',
          file,
          line: lineAt(bare, m.index),
          detail: `uses ${m[1]}`,
        });
    }
    // dependency-cruiser reads a component's <script lang="ts"> after
    // TypeScript has erased its type imports, so this one rule is also
    // checked on the text.
    if (file.startsWith('src/ui/')) {
      const code = stripSource(scriptOf(file, text), false);
      for (const m of code.matchAll(/\b(?:import|export)\b[^;'"]*?\bfrom\s*(['"])(\.[^'"]+)\1/g)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[2]));
        if (/^(src\/core|workers)\//.test(target)) {
          out.push({
            rule: 'ui-imports-lib-only',
            file,
            line: lineAt(code, m.index ?? 0),
            detail: `imports ${m[2]}`,
          });
        }
      }
    }
    for (const m of bare.matchAll(/\.\s*(dataSync|arraySync)\s*\(/g)) {
      out.push({
        rule: 'no-sync-reads',
        file,
        line: lineAt(bare, m.index ?? 0),
        detail: `calls .${m[1]}()`,
      });
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
const rulesOf = (v: { rule: string }[]) => [...new Set(v.map((x) => x.rule))].sort();

// Small trees for the import rules live in a folder inside the repository, so
// that package names resolve to the real node_modules as they do for src/.
const FIXTURES = path.join(ROOT, 'tests/unit/.architecture-fixtures');
let fixtureCount = 0;
async function cruiseTree(entries: Record<string, string>): Promise<string[]> {
  const dir = path.join(FIXTURES, String(fixtureCount++));
  for (const [file, text] of Object.entries(entries)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const dirs = ['src', 'workers'].filter((d) =>
    Object.keys(entries).some((f) => f.startsWith(`${d}/`)),
  );
  return [...new Set((await cruiseRules(dir, dirs)).map((v) => v.rule.name))].sort();
}
afterAll(() => rmSync(FIXTURES, { recursive: true, force: true }));

describe('architecture rules', () => {
  it('hold for the repository', async () => {
    const violations = await cruiseRules(ROOT, SCANNED_DIRS);
    expect(violations.map(describeViolation)).toEqual([]);
    const files = new Map<string, string>();
    for (const dir of SCANNED_DIRS) {
      for (const f of listSources(dir)) files.set(f, readFileSync(path.join(ROOT, f), 'utf8'));
    }
    expect(files.size).toBeGreaterThan(100);
    const lines = checkSource(files).map((v) => `${v.file}:${v.line} ${v.rule}: ${v.detail}`);
    expect(lines).toEqual([]);
  });

  describe('each import rule flags a violation', () => {
    it('core imports lib, ui, workers, svelte or comlink, even a type', async () => {
      for (const [spec, extra] of [
        ['../lib/state', 'src/lib/state.ts'],
        ['../ui/App.svelte', 'src/ui/App.svelte'],
        ['../../workers/backend', 'workers/backend.ts'],
        ['svelte', ''],
        ['comlink', ''],
      ]) {
        const tree: Record<string, string> = {
          'src/core/a.ts': `import type { x } from '${spec}';\n`,
        };
        if (extra) tree[extra] = 'export const x = 1;\n';
        expect(await cruiseTree(tree), spec).toEqual(['core-is-self-contained']);
      }
    });

    it('lib imports ui', async () => {
      const tree = {
        'src/lib/a.ts': "import Stage from '../ui/Stage.svelte';\nexport default Stage;\n",
        'src/ui/Stage.svelte': '<p>hi</p>\n',
      };
      expect(await cruiseTree(tree)).toEqual(['lib-does-not-import-ui']);
    });

    it('ui imports core or workers, even a type; lib is fine', async () => {
      for (const [spec, target] of [
        ['../../core/labelers', 'src/core/labelers.ts'],
        ['../../../workers/backend-decision', 'workers/backend-decision.ts'],
      ]) {
        const tree = {
          'src/ui/a/B.svelte': `<script lang="ts">import type { X } from '${spec}';</script>\n`,
          [target]: 'export type X = number;\n',
        };
        const files = fake(tree);
        expect(rulesOf(checkSource(files)), spec).toEqual(['ui-imports-lib-only']);
        const value = {
          ...tree,
          'src/ui/a/B.svelte': tree['src/ui/a/B.svelte'].replace('type ', ''),
        };
        expect(await cruiseTree(value), spec).toEqual(['ui-imports-lib-only']);
      }
      const ok = {
        'src/ui/a/B.svelte': "<script>import { t } from '../../lib/i18n';</script>\n",
        'src/lib/i18n.ts': 'export const t = 1;\n',
      };
      expect(await cruiseTree(ok)).toEqual([]);
      expect(checkSource(fake(ok))).toEqual([]);
    });

    it('ui or lib names tfjs, directly, dynamically or through a runtime chain', async () => {
      expect(
        await cruiseTree({
          'src/ui/A.svelte': "<script>import * as tf from '@tensorflow/tfjs';</script>\n",
        }),
      ).toEqual(['no-tfjs-on-page', 'no-tfjs-on-page-chain']);
      expect(
        await cruiseTree({
          'src/lib/a.ts':
            "import type { Tensor } from '@tensorflow/tfjs';\nexport type T = Tensor;\n",
        }),
      ).toEqual(['no-tfjs-on-page']);
      expect(
        await cruiseTree({
          'src/lib/a.ts': "export const tf = await import('@tensorflow/tfjs');\n",
        }),
      ).toEqual(['no-tfjs-on-page', 'no-tfjs-on-page-chain']);
      const chain = {
        'src/main.ts': "import './lib/a';\n",
        'src/lib/a.ts': "import { createGPT } from '../core/gpt';\nexport const g = createGPT;\n",
        'src/core/gpt.ts':
          "import * as tf from '@tensorflow/tfjs';\nexport const createGPT = tf.zeros;\n",
      };
      expect(await cruiseTree(chain)).toEqual(['no-tfjs-on-page-chain']);
    });

    it('allows type-only chains and worker URLs from the page', async () => {
      const tree = {
        'src/lib/client.ts': [
          "import type { ProbeApi } from '../../workers/probe.worker';",
          "export const url = new URL('../../workers/probe.worker.ts', import.meta.url);",
          'export type Api = ProbeApi;',
          '',
        ].join('\n'),
        'workers/probe.worker.ts':
          "import * as tf from '@tensorflow/tfjs';\nexport type ProbeApi = typeof tf;\n",
      };
      expect(await cruiseTree(tree)).toEqual([]);
    });

    it('workers import ui or lib', async () => {
      for (const [spec, target] of [
        ['../src/lib/state', 'src/lib/state.ts'],
        ['../src/ui/App.svelte', 'src/ui/App.svelte'],
      ]) {
        const tree = {
          'workers/a.ts': `import type { X } from '${spec}';\nexport type Y = X;\n`,
          [target]: '',
        };
        expect(await cruiseTree(tree), spec).toEqual(['workers-import-core-only']);
      }
    });

    it('files import each other in a loop, even through types', async () => {
      const tree = {
        'src/lib/a.ts': "import type { B } from './b';\nexport type A = B[];\n",
        'src/lib/b.ts': "import { c } from './c';\nexport type B = typeof c;\n",
        'src/lib/c.ts': "import type { A } from './a';\nexport const c: A = [];\n",
      };
      expect(await cruiseTree(tree)).toEqual(['no-import-loops']);
    });
  });

  describe('each source rule flags a violation', () => {
    it('core uses a window-only global', () => {
      const files = fake({ 'src/core/a.ts': 'export const w = () => document.title;' });
      expect(rulesOf(checkSource(files))).toEqual(['core-is-self-contained']);
      const prose = fake({ 'src/core/a.ts': "// no document here\nexport const s = 'window';" });
      expect(checkSource(prose)).toEqual([]);
    });

    it('anything calls dataSync or arraySync', () => {
      for (const call of ['x.dataSync()', 'y.arraySync()', 'loss\n  .dataSync ()']) {
        const files = fake({ 'workers/a.ts': `const v = ${call};` });
        expect(rulesOf(checkSource(files)), call).toEqual(['no-sync-reads']);
      }
      const prose = fake({
        'workers/a.ts': "// never x.dataSync() here\nconst s = 'a.arraySync()';\nawait t.data();",
      });
      expect(checkSource(prose)).toEqual([]);
    });

    it('reports the line of a violation', () => {
      const files = fake({
        'src/ui/A.svelte': '<p>x</p>\n<script>\n\nconst v = t.dataSync();\n</script>\n',
      });
      expect(checkSource(files)).toEqual([
        { rule: 'no-sync-reads', file: 'src/ui/A.svelte', line: 4, detail: 'calls .dataSync()' },
      ]);
    });
  });
});
