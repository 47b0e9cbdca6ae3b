import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type * as tfNs from '@tensorflow/tfjs';
import { useBackend } from '../../helpers/tf';
import { createGPT } from '../../../src/core/model/gpt';
import {
  loadCheckpoint,
  readSafetensorsHeader,
  saveCheckpoint,
} from '../../../src/core/checkpoint';
import { CharTokenizer } from '../../../src/core/tokenizer';

let tf: typeof tfNs;
beforeAll(async () => {
  tf = await useBackend('cpu');
});

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/gpt-tiny.json', import.meta.url), 'utf8'),
) as { ids: number[][]; padMask: number[][]; logits: number[][][] };

describe('checkpoints (safetensors)', () => {
  it('loads a file packed by an independent writer and reproduces its logits', async () => {
    const bytes = new Uint8Array(
      readFileSync(new URL('../../fixtures/gpt-tiny.safetensors', import.meta.url)),
    );
    const { model, tokenizer, meta } = loadCheckpoint(bytes);
    expect(meta.step).toBe(42);
    expect(tokenizer.decode(tokenizer.encode('cafe'))).toBe('cafe');
    const ids = tf.tensor2d([fixture.ids[0]], undefined, 'int32');
    const { logits, head } = model.forward(ids);
    const got = await logits.data();
    const want = fixture.logits[0].flat();
    want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 4));
    tf.dispose([ids, logits, head!]);
    model.dispose();
  });

  it('round-trips a model: same logits, same config, same tokenizer', async () => {
    const tokenizer = CharTokenizer.fromText('hello world, 你好');
    const config = {
      vocabSize: tokenizer.vocabSize,
      blockSize: 16,
      nLayer: 2,
      nHead: 2,
      nEmbd: 8,
      tiedHead: false,
      scalarHead: true,
    };
    const model = createGPT(config, 5);
    const bytes = await saveCheckpoint(model, tokenizer, { step: 7, extra: { preset: 'x' } });
    // Data starts 8-byte aligned and every tensor is accounted for.
    const { header, dataStart } = readSafetensorsHeader(bytes);
    expect(dataStart % 8).toBe(0);
    expect(Object.keys(header)).toHaveLength(model.variables.length);
    expect(header['transformer.h.0.attn.c_attn.weight'].shape).toEqual([24, 8]); // (out, in)
    const loaded = loadCheckpoint(bytes);
    expect(loaded.config).toEqual(model.config);
    expect(loaded.tokenizer.toJSON()).toEqual(tokenizer.toJSON());
    expect(loaded.meta).toEqual({ step: 7, extra: { preset: 'x' } });
    const ids = tf.tensor2d([tokenizer.encode('hello 你')], undefined, 'int32');
    const a = model.forward(ids);
    const b = loaded.model.forward(ids);
    expect(await b.logits.data()).toEqual(await a.logits.data());
    expect(await b.head!.data()).toEqual(await a.head!.data());
    tf.dispose([ids, a.logits, a.head!, b.logits, b.head!]);
    model.dispose();
    loaded.model.dispose();
  });

  it('adds a zero scalar head when asked, or drops one', async () => {
    const tokenizer = CharTokenizer.fromText('abc');
    const config = { vocabSize: tokenizer.vocabSize, blockSize: 8, nLayer: 1, nHead: 1, nEmbd: 4 };
    const bare = createGPT(config, 2);
    const withHead = loadCheckpoint(await saveCheckpoint(bare, tokenizer, { step: 0 }), {
      scalarHead: true,
    });
    const ids = tf.tensor2d([[4, 5, 6]], undefined, 'int32');
    const out = withHead.model.forward(ids);
    expect(Array.from(await out.head!.data())).toEqual([0, 0, 0]);
    const a = bare.forward(ids);
    expect(await out.logits.data()).toEqual(await a.logits.data());
    const dropped = loadCheckpoint(await saveCheckpoint(withHead.model, tokenizer, { step: 0 }), {
      scalarHead: false,
    });
    expect(dropped.model.config.scalarHead).toBe(false);
    tf.dispose([ids, out.logits, out.head!, a.logits]);
    [bare, withHead.model, dropped.model].forEach((m) => m.dispose());
  });

  it('refuses malformed files with a message saying what is wrong', async () => {
    expect(() => loadCheckpoint(new Uint8Array(3))).toThrow(/shorter than 8 bytes/);
    const junk = new Uint8Array(16);
    new DataView(junk.buffer).setBigUint64(0, 1000n, true);
    expect(() => loadCheckpoint(junk)).toThrow(/declares a 1000-byte header/);
    const tokenizer = CharTokenizer.fromText('ab');
    const model = createGPT(
      { vocabSize: tokenizer.vocabSize, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 },
      1,
    );
    const bytes = await saveCheckpoint(model, tokenizer, { step: 0 });
    expect(() => loadCheckpoint(bytes.subarray(0, bytes.length - 4))).toThrow(/data offsets/);
    model.dispose();
  });
});

describe('CharTokenizer', () => {
  it('encodes code points, maps unknown characters to UNK and counts them', () => {
    const t = CharTokenizer.fromText('abc😀');
    expect(t.vocabSize).toBe(4 + 4);
    const r = t.encodeReport('a😀z?z', { bos: true, eos: true });
    expect(r.ids).toEqual([1, 4, 7, 3, 3, 3, 2]);
    expect(r.unknownCount).toBe(3);
    expect(r.unknownChars).toEqual(['z', '?']);
    expect(t.decode(r.ids)).toBe('a😀\uFFFD\uFFFD\uFFFD');
    expect(CharTokenizer.fromJSON(JSON.parse(JSON.stringify(t))).encode('cab')).toEqual(
      t.encode('cab'),
    );
  });

  it('rejects empty text, too many characters and bad ids', () => {
    expect(() => CharTokenizer.fromText('')).toThrow(/text: is empty/);
    expect(() => CharTokenizer.fromText('abcdef', 8)).toThrow(
      /6 distinct characters; the limit is 4/,
    );
    expect(() => CharTokenizer.fromText('ab').decode([99])).toThrow(/outside the vocabulary/);
    expect(() => CharTokenizer.fromJSON({ kind: 'char', chars: ['a', 'a'] })).toThrow(/duplicate/);
  });
});
