import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfNs from '@tensorflow/tfjs';
import { useBackend } from '../../helpers/tf';
import { createGPT, type GPT } from '../../../src/core/model/gpt';
import { sample } from '../../../src/core/sample';

let tf: typeof tfNs;
let model: GPT;
const config = { vocabSize: 9, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 8 };

beforeAll(async () => {
  tf = await useBackend('cpu');
  model = createGPT(config, 3);
  // Sharpen the distribution a little so that top-k/top-p cut something.
  const wte = model.named.get('transformer.wte.weight')!;
  wte.assign(tf.mul(wte, 40));
});

/** Float64 log-softmax of the full forward pass at the last position of `seq`. */
async function nextLogprobs(seq: number[]): Promise<number[]> {
  const ids = tf.tensor2d([seq], undefined, 'int32');
  const { logits } = model.forward(ids);
  const all = await logits.data();
  tf.dispose([ids, logits]);
  const V = config.vocabSize;
  const row = Array.from(all.subarray((seq.length - 1) * V, seq.length * V));
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
  return row.map((x) => x - lse);
}

describe('sample', () => {
  it('never emits PAD, BOS or UNK (no U+FFFD in an answer), however likely the model makes them', async () => {
    // A model that puts most of its probability on the three tokens without text:
    // the final LayerNorm's bias u, and u added to their (tied) embedding rows.
    const m = createGPT(config, 5);
    const u = Array.from({ length: config.nEmbd }, (_, i) => (i % 2 ? 1 : -1));
    m.named.get('transformer.ln_f.bias')!.assign(tf.tensor1d(u));
    const wte = m.named.get('transformer.wte.weight')!;
    const boost = tf.tensor2d(
      Array.from({ length: config.vocabSize }, (_, v) =>
        u.map((x) => ([0, 1, 3].includes(v) ? 2 * x : 0)),
      ),
    );
    wte.assign(tf.add(wte, boost));
    const ids = tf.tensor2d([[4, 5]], undefined, 'int32');
    const probs = await tf.softmax(m.forward(ids).logits).data();
    const V = config.vocabSize;
    const last = Array.from(probs.subarray(V, 2 * V));
    expect(last[0] + last[1] + last[3]).toBeGreaterThan(0.5); // the test would catch a leak
    const out = await sample(m, [[4, 5], [6]], { maxNewTokens: 12, seed: 2, eosId: -1 });
    for (const row of out.tokens) for (const t of row) expect([0, 1, 3]).not.toContain(t);
    tf.dispose(ids);
    m.dispose();
  });

  it('reports each token’s log-probability under the unfiltered policy', async () => {
    const prompt = [4, 5, 6];
    const out = await sample(model, [prompt, [7]], {
      maxNewTokens: 6,
      seed: 1,
      eosId: -1,
      topK: 3,
    });
    for (let b = 0; b < 2; b++) {
      const seq = b === 0 ? [...prompt] : [7];
      for (let t = 0; t < out.tokens[b].length; t++) {
        const lp = await nextLogprobs(seq);
        const tok = out.tokens[b][t];
        expect(out.logprobs[b][t]).toBeCloseTo(lp[tok], 4);
        // The sampling distribution is top-3 renormalised: compute it in float64.
        const top = [...lp].sort((x, y) => y - x).slice(0, 3);
        expect(lp[tok]).toBeGreaterThanOrEqual(top[2] - 1e-6);
        const lse = Math.log(top.reduce((s, x) => s + Math.exp(x), 0));
        expect(out.sampleLogprobs[b][t]).toBeCloseTo(lp[tok] - lse, 4);
        seq.push(tok);
      }
    }
  });

  it('is greedy at temperature 0 and with top-k = 1', async () => {
    const greedy = await sample(model, [[1, 4]], {
      maxNewTokens: 5,
      seed: 1,
      temperature: 0,
      eosId: -1,
    });
    const topk1 = await sample(model, [[1, 4]], { maxNewTokens: 5, seed: 9, topK: 1, eosId: -1 });
    expect(topk1.tokens).toEqual(greedy.tokens);
    const seq = [1, 4];
    for (const tok of greedy.tokens[0]) {
      const lp = await nextLogprobs(seq);
      expect(tok).toBe(lp.indexOf(Math.max(...lp)));
      seq.push(tok);
    }
  });

  it('keeps top-p sampling inside the nucleus', async () => {
    const lp = await nextLogprobs([2]);
    const order = lp.map((x, i) => [x, i]).sort((a, b) => b[0] - a[0]);
    const nucleus = new Set<number>();
    let mass = 0;
    for (const [x, i] of order) {
      if (mass >= 0.6) break;
      nucleus.add(i);
      mass += Math.exp(x);
    }
    expect(nucleus.size).toBeLessThan(config.vocabSize);
    const out = await sample(model, Array(200).fill([2]), {
      maxNewTokens: 1,
      seed: 5,
      topP: 0.6,
      eosId: -1,
    });
    for (const row of out.tokens) expect(nucleus.has(row[0])).toBe(true);
  });

  it('draws tokens with the policy’s probabilities', async () => {
    const lp = await nextLogprobs([3]);
    const n = 4000;
    const out = await sample(model, Array(n).fill([3]), { maxNewTokens: 1, seed: 11, eosId: -1 });
    const counts = new Array(config.vocabSize).fill(0);
    for (const row of out.tokens) counts[row[0]]++;
    // PAD, BOS and UNK are never sampled: the rest share their mass in proportion.
    const banned = [0, 1, 3];
    const kept = 1 - banned.reduce((sum, v) => sum + Math.exp(lp[v]), 0);
    for (let v = 0; v < config.vocabSize; v++) {
      const p = banned.includes(v) ? 0 : Math.exp(lp[v]) / kept;
      const sd = Math.sqrt(n * p * (1 - p) + 1);
      expect(Math.abs(counts[v] - n * p)).toBeLessThan(5 * sd);
    }
  });

  it('stops a row at EOS, is reproducible, truncates long prompts from the left', async () => {
    const a = await sample(model, [[1], [1]], {
      maxNewTokens: 12,
      seed: 4,
      eosId: 5,
      checkEvery: 2,
    });
    const b = await sample(model, [[1], [1]], {
      maxNewTokens: 12,
      seed: 4,
      eosId: 5,
      checkEvery: 2,
    });
    expect(a).toEqual(b);
    for (const row of a.tokens) {
      const at = row.indexOf(5);
      expect(at === -1 || at === row.length - 1).toBe(true);
    }
    const long = Array.from({ length: 20 }, (_, i) => 4 + (i % 4));
    const c = await sample(model, [long], { maxNewTokens: 4, seed: 1, eosId: -1 });
    expect(c.truncated).toEqual([20 - 12]);
    expect(c.tokens[0]).toHaveLength(4);
  });

  it('leaves no tensors behind and rejects bad options by name', async () => {
    await sample(model, [[1]], { maxNewTokens: 3, seed: 1 });
    const before = tf.memory().numTensors;
    await sample(model, [[1], [2, 3]], { maxNewTokens: 5, seed: 2, topP: 0.9, topK: 4 });
    expect(tf.memory().numTensors).toBe(before);
    // The early stop reads, every `checkEvery` tokens, whether every row has ended
    // (after 2 tokens here, then 4, …): each read leaves nothing behind either.
    await sample(model, [[1], [2, 3]], { maxNewTokens: 10, seed: 3, checkEvery: 2 });
    expect(tf.memory().numTensors).toBe(before);
    await expect(sample(model, [[1]], { maxNewTokens: 16, seed: 1 })).rejects.toThrow(
      /maxNewTokens/,
    );
    await expect(sample(model, [], { maxNewTokens: 2, seed: 1 })).rejects.toThrow(
      /prompts: is empty/,
    );
    await expect(sample(model, [[]], { maxNewTokens: 2, seed: 1 })).rejects.toThrow(
      /prompt 0 is empty/,
    );
    await expect(sample(model, [[1]], { maxNewTokens: 2, seed: 1, topP: 0 })).rejects.toThrow(
      /topP/,
    );
    await expect(
      sample(model, [[1]], { maxNewTokens: 2, seed: 1, temperature: NaN }),
    ).rejects.toThrow(/temperature/);
  });
});
