// The reward head read by hand, for tests of the trainers that read it.
import * as tf from '@tensorflow/tfjs';
import type { createGPT } from '../../../../src/core/model/gpt';
import { ENDING_TOKENS } from '../../../../src/core/train/reward-head';

/**
 * Float64 reward of each sequence from the model's own final hidden states: the
 * head's mean over the readout's positions (the last min(8, |y|) response
 * tokens, all of them, or the last one).
 */
export async function referenceRewards(
  model: ReturnType<typeof createGPT>,
  seqs: { prompt: number[]; response: number[] }[],
  readout: 'ending' | 'mean' | 'last',
): Promise<number[]> {
  const w = Array.from(await model.named.get('score.weight')!.data());
  const b = (await model.named.get('score.bias')!.data())[0];
  const out: number[] = [];
  for (const q of seqs) {
    const ids = tf.tensor2d([[...q.prompt, ...q.response]], undefined, 'int32');
    const h = model.hidden(ids);
    const rows = (await h.array())[0];
    tf.dispose([ids, h]);
    const n =
      readout === 'last'
        ? 1
        : readout === 'ending'
          ? Math.min(ENDING_TOKENS, q.response.length)
          : q.response.length;
    let r = 0;
    for (let t = rows.length - n; t < rows.length; t++) {
      r += (rows[t].reduce((s, x, c) => s + x * w[c], 0) + b) / n;
    }
    out.push(r);
  }
  return out;
}
