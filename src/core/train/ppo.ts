/**
 * PPO against a reward model with a per-token KL penalty to the frozen SFT
 * model (InstructGPT step 3; Ziegler et al. 2019; the TRL PPOTrainer recipe).
 *
 * One iteration, given sampled responses and their reward-model scores:
 *   1. old log-probs and values of the policy, log-probs of the reference;
 *   2. rewards r_t = −β(log π − log π_ref), plus the score at the last token;
 *   3. GAE (γ, λ) on the value head → advantages (whitened) and returns;
 *   4. `ppoEpochs` passes over shuffled minibatches with the clipped policy
 *      loss + vf_coef × clipped value loss (+ γ_ptx × pretraining loss for
 *      PPO-ptx); a minibatch whose mean ratio exceeds `ratioThreshold` is
 *      skipped, and the epochs stop early once the approximate KL passes
 *      `targetKl` (when set);
 *   5. the KL controller updates β.
 * The value head is the policy's scalar head (a shared trunk, as TRL).
 * Steps 1–3 are in `ppo-rollout.ts`, the settings in `ppo-settings.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertNonEmpty } from '../errors';
import { lmLoss, tokenLogprobs } from '../model/lm-losses';
import type { GPT } from '../model/gpt';
import {
  AdaptiveKLController,
  FixedKLController,
  type KLController,
} from '../losses/kl-controller';
import { ppoPolicyLoss, ppoValueLoss } from '../losses/ppo';
import { maskedMean } from '../losses/masked';
import { mulberry32, permutation } from '../random';
import { disposeBatch, packSequences, type Sequence } from './batch';
import { Optimizer } from './optimizer';
import { rollout, type RolloutStats } from './ppo-rollout';
import { validatePpoSettings, type PpoSettings, type ResolvedPpoSettings } from './ppo-settings';

export interface PpoBatch {
  prompts: number[][];
  /** Sampled response tokens per prompt row (EOS included when it was sampled). */
  responses: number[][];
  /** Reward-model score of each response. */
  scores: number[];
  /** Pretraining text for PPO-ptx (used when ptxCoef > 0). */
  ptx?: Sequence[];
}

export class PpoTrainer {
  readonly policy: GPT;
  readonly ref: GPT;
  readonly optimizer: Optimizer;
  settings: ResolvedPpoSettings;
  kl: KLController;
  iteration = 0;
  /**
   * log π(y_t) − log π_ref(y_t) at each response token of each row of the last
   * iteration's rollout (the per-token KL that step 2 penalises).
   */
  tokenKl: number[][] = [];
  private rng: () => number;

  constructor(policy: GPT, ref: GPT, settings: PpoSettings) {
    if (!policy.config.scalarHead) throw new ArgumentError('policy', 'has no scalar (value) head');
    if (ref.config.vocabSize !== policy.config.vocabSize) {
      throw new ArgumentError('ref', 'has a different vocabulary from the policy');
    }
    this.policy = policy;
    this.ref = ref;
    this.settings = validatePpoSettings(settings);
    this.optimizer = new Optimizer(policy.variables, this.settings);
    const { adaptiveKl, klCoef } = this.settings;
    this.kl = adaptiveKl
      ? new AdaptiveKLController(klCoef, adaptiveKl.target, adaptiveKl.horizon)
      : new FixedKLController(klCoef);
    this.rng = mulberry32(this.settings.seed);
  }

  /** Changes settings between iterations (e.g. while paused). */
  updateSettings(changes: Partial<PpoSettings>): void {
    const next = validatePpoSettings({ ...this.settings, ...changes });
    if (changes.lr !== undefined) this.optimizer.setLearningRate(changes.lr);
    if (changes.klCoef !== undefined || changes.adaptiveKl !== undefined) {
      this.kl = next.adaptiveKl
        ? new AdaptiveKLController(next.klCoef, next.adaptiveKl.target, next.adaptiveKl.horizon)
        : new FixedKLController(next.klCoef);
    }
    this.settings = next;
  }

  private checkBatch(b: PpoBatch): void {
    assertNonEmpty('prompts', b.prompts);
    const n = b.prompts.length;
    if (b.responses.length !== n) {
      throw new ArgumentError('responses', `has ${b.responses.length} rows but prompts has ${n}`);
    }
    if (b.scores.length !== n)
      throw new ArgumentError('scores', `has ${b.scores.length} entries but prompts has ${n}`);
    b.scores.forEach((s, i) => {
      if (!Number.isFinite(s))
        throw new ArgumentError('scores', `entry ${i} is ${s}; expected a finite number`);
    });
    b.responses.forEach((r, i) => {
      if (r.length === 0) throw new ArgumentError('responses', `row ${i} is empty`);
    });
    if (this.settings.ptxCoef > 0 && (!b.ptx || b.ptx.length === 0)) {
      throw new ArgumentError('ptx', 'is empty but ptxCoef > 0 needs pretraining text');
    }
  }

  /** One PPO iteration on sampled responses and their scores. Returns TRL-named metrics. */
  async step(batch: PpoBatch): Promise<Record<string, number>> {
    this.checkBatch(batch);
    const s = this.settings;
    const seqs = batch.prompts.map((p, i) => ({ prompt: p, response: batch.responses[i] }));
    const packed = packSequences(seqs, this.policy.config.blockSize);
    const { B, T } = packed;
    const rowLengths = packed.lastIndex.map((i) => i + 1);
    const idsData = (await packed.ids.data()) as Int32Array;
    let ro: RolloutStats;
    try {
      ro = await rollout(this, packed, batch.scores);
    } finally {
      disposeBatch(packed);
    }

    this.tokenKl = Array.from({ length: B }, (_, b) => {
      const row: number[] = [];
      for (let t = b * (T - 1); t < (b + 1) * (T - 1); t++) if (ro.mask[t]) row.push(ro.kl[t]);
      return row;
    });

    const sums: Record<string, number> = {};
    let updates = 0;
    let skipped = 0;
    let stoppedEarly = false;
    for (let epoch = 0; epoch < s.ppoEpochs && !stoppedEarly; epoch++) {
      const order = permutation(B, this.rng);
      for (let start = 0; start < B; start += s.miniBatchSize) {
        const rows = order.slice(start, start + s.miniBatchSize);
        const m = await this.minibatch(rows, idsData, ro, T, rowLengths, batch.ptx);
        if (m['ppo/skipped']) skipped++;
        else {
          updates++;
          for (const [k, v] of Object.entries(m)) sums[k] = (sums[k] ?? 0) + v;
        }
        if (s.targetKl !== null && m['ppo/policy/approxkl'] > s.targetKl) {
          stoppedEarly = true;
          break;
        }
      }
    }
    const meanKl = ro.metrics['objective/kl'];
    this.kl.update(meanKl, B);
    this.iteration++;
    const averaged = Object.fromEntries(
      Object.entries(sums).map(([k, v]) => [k, v / Math.max(updates, 1)]),
    );
    delete averaged['ppo/skipped'];
    const responseLengths = batch.responses.map((r) => r.length);
    return {
      ...ro.metrics,
      ...averaged,
      'env/reward_mean': batch.scores.reduce((a, b) => a + b, 0) / B,
      'env/reward_std': std(batch.scores),
      'tokens/responses_len_mean': responseLengths.reduce((a, b) => a + b, 0) / B,
      'ppo/minibatches_skipped': skipped,
      'ppo/early_stop': stoppedEarly ? 1 : 0,
      iteration: this.iteration,
    };
  }

  /**
   * One minibatch update (step 4). Returns its metrics; `ppo/skipped` = 1 when
   * the ratio guard fired. The minibatch is cut to its own longest row: the
   * columns after it are padding in every row, masked out of the losses, and
   * causal attention means they cannot change what comes before them.
   */
  private async minibatch(
    rows: number[],
    ids: Int32Array,
    ro: RolloutStats,
    T: number,
    rowLengths: number[],
    ptx: Sequence[] | undefined,
  ): Promise<Record<string, number>> {
    const s = this.settings;
    const n = rows.length;
    const Tm = Math.max(...rows.map((r) => rowLengths[r]));
    const L = Tm - 1;
    // Row r of src (width srcWidth), first `width` columns, for every picked row.
    const pickRows = <A extends Float32Array | Int32Array>(
      src: A,
      srcWidth: number,
      width: number,
      make: (len: number) => A,
    ): A => {
      const out = make(n * width);
      rows.forEach((r, i) => out.set(src.subarray(r * srcWidth, r * srcWidth + width), i * width));
      return out;
    };
    const f32 = (len: number) => new Float32Array(len);
    const mbIds = tf.tensor2d(
      pickRows(ids, T, Tm, (len) => new Int32Array(len)),
      [n, Tm],
      'int32',
    );
    const pick = (src: Float32Array) => tf.tensor2d(pickRows(src, T - 1, L, f32), [n, L]);
    const t = tf.tidy(() => ({
      oldLogprobs: pick(ro.oldLogprobs),
      oldValues: pick(ro.oldValues),
      advantages: pick(ro.advantages),
      returns: pick(ro.returns),
      mask: pick(ro.mask),
    }));
    const ptxBatch = s.ptxCoef > 0 && ptx ? packSequences(ptx, this.policy.config.blockSize) : null;
    try {
      const metrics = await this.optimizer.step(
        () => {
          const { logits, head } = this.policy.forward(mbIds);
          const logprobs = tokenLogprobs(logits, mbIds);
          const values = head!.slice([0, 0], [n, L]) as tf.Tensor2D;
          const pg = ppoPolicyLoss({
            logprobs,
            oldLogprobs: t.oldLogprobs,
            advantages: t.advantages,
            mask: t.mask,
            clipRange: s.clipRange,
          });
          const vf = ppoValueLoss({
            values,
            oldValues: t.oldValues,
            returns: t.returns,
            mask: t.mask,
            clipRange: s.clipRangeValue,
          });
          let loss = tf.add(pg.loss, tf.mul(s.vfCoef, vf.loss)) as tf.Scalar;
          const ratioMean = maskedMean(tf.exp(tf.sub(logprobs, t.oldLogprobs)), t.mask);
          const metrics: Record<string, tf.Scalar> = {
            'ppo/loss/policy': pg.loss,
            'ppo/loss/value': vf.loss,
            'ppo/policy/clipfrac': pg.clipfrac,
            'ppo/policy/approxkl': pg.approxKl,
            'ppo/val/clipfrac': vf.clipfrac,
            'ppo/policy/ratio_mean': ratioMean,
          };
          if (ptxBatch) {
            const ptxLoss = lmLoss(this.policy, ptxBatch.ids, ptxBatch.lossMask);
            loss = tf.add(loss, tf.mul(s.ptxCoef, ptxLoss)) as tf.Scalar;
            metrics['ppo/loss/ptx'] = ptxLoss;
          }
          return { loss, metrics };
        },
        'ppo/loss/total',
        'ppo',
        (m) => m['ppo/policy/ratio_mean'] > s.ratioThreshold,
      );
      return metrics;
    } finally {
      tf.dispose([mbIds, ...Object.values(t)]);
      if (ptxBatch) disposeBatch(ptxBatch);
    }
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

function std(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
}
