/**
 * Quality bar for the shipped base models (public/models): sampled at
 * temperature 0.8 with a fixed seed, the words they write are words of the
 * corpus (≥ 95% for nano, ≥ 85% for micro; for Chinese, character bigrams of
 * the corpus), and the held-out loss matches what public/models records.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import type * as tfNs from '@tensorflow/tfjs';
import { useBackend } from '../helpers/tf';
import {
  EOS_ID,
  corpusUnits,
  lmLoss,
  loadCheckpoint,
  mulberry32,
  randomWindows,
  sample,
} from '../../src/core/index';

const root = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');

interface Shipped {
  name: string;
  lang: 'en' | 'zh';
  minShare: number;
}
const SHIPPED: Shipped[] = [
  { name: 'en-nano', lang: 'en', minShare: 0.95 },
  { name: 'en-micro', lang: 'en', minShare: 0.85 },
  { name: 'zh-micro', lang: 'zh', minShare: 0.85 },
];

let tf: typeof tfNs;
beforeAll(async () => {
  tf = await useBackend('wasm');
});

const units = corpusUnits;

describe.each(SHIPPED)('shipped model $name', ({ name, lang, minShare }) => {
  const file = `public/models/${name}.safetensors`;

  it('exists and records how it was trained', () => {
    expect(existsSync(new URL(file, root))).toBe(true);
    const record = JSON.parse(read(`public/models/${name}.json`));
    expect(record.steps).toBeGreaterThan(0);
    expect(record.heldoutBitsPerChar).toBeGreaterThan(0);
  });

  it(`writes corpus words (≥ ${minShare * 100}%) and matches its recorded held-out loss`, async () => {
    const { model, tokenizer } = loadCheckpoint(new Uint8Array(readFileSync(new URL(file, root))));
    const train = read(`public/corpus/${lang}/train.txt`);
    const vocabulary = new Set(units(train, lang));
    const heldout = read(`public/corpus/${lang}/heldout.txt`).split('\n\n');
    // Prompts: the first few characters of held-out stories.
    const prompts = heldout
      .slice(0, 16)
      .map((s) => tokenizer.encode(Array.from(s).slice(0, 6).join('')));
    const out = await sample(model, prompts, { maxNewTokens: 96, temperature: 0.8, seed: 1 });
    const written = out.tokens.map((t, i) => tokenizer.decode(prompts[i]) + tokenizer.decode(t));
    // The last word may be cut off by the token budget: drop it unless the story ended.
    const words = written.flatMap((text, i) => {
      const u = units(text, lang);
      return out.tokens[i].at(-1) === EOS_ID ? u : u.slice(0, -1);
    });
    const share = words.filter((w) => vocabulary.has(w)).length / words.length;
    console.log(
      `${name}: ${(share * 100).toFixed(1)}% of ${words.length} generated ${lang === 'en' ? 'words' : 'bigrams'} are in the corpus; e.g. ${JSON.stringify(written[0])}`,
    );
    expect(words.length).toBeGreaterThan(100);
    expect(share).toBeGreaterThanOrEqual(minShare);

    // Held-out bits per character on fixed windows, within noise of the record.
    const stream: number[] = [];
    for (const s of heldout) stream.push(...tokenizer.encode(s.trim()), EOS_ID);
    const windows = randomWindows(stream, 64, model.config.blockSize, mulberry32(12345));
    const ids = tf.tensor2d(
      windows.map((w) => [...w.prompt, ...w.response]),
      undefined,
      'int32',
    );
    const loss = lmLoss(model, ids);
    const bits = (await loss.data())[0] / Math.LN2;
    const record = JSON.parse(read(`public/models/${name}.json`));
    expect(Math.abs(bits - record.heldoutBitsPerChar)).toBeLessThan(0.05);
    tf.dispose([ids, loss]);
    model.dispose();
  });
});
