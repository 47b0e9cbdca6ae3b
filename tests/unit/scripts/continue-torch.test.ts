// scripts/continue_torch.py goes on training an export in PyTorch. A tiny
// export is made here as the page makes it (checkpoints from src/core,
// config.json from src/lib/persistence, the preferences as TRL JSON Lines from
// src/lib/share/export-formats.ts), and the script's numbers are checked
// against independent ones:
// - DPO with the policy as its own reference: the first loss is log 2, the
//   implicit rewards 0 (float64 by hand);
// - DPO and IPO against another reference, and the reward model: every
//   full-batch step's metrics equal the page's own trainers (DpoTrainer,
//   RewardModelTrainer in tfjs, cpu backend) on the same rankings and settings,
//   so the tokens, masks, losses, Adam and clipping agree;
// - the weights it writes load in the page's loader (right shapes, finite,
//   changed where training changes them and only there) and give there the
//   metrics the script reported after training.
// PyTorch as tests/helpers/torch.ts finds it (skips without it; fails with
// REQUIRE_TORCH=1, as in CI).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../../../src/core/checkpoint';
import { gptFromWeights, type GPT } from '../../../src/core/model/gpt';
import { parameterShapes } from '../../../src/core/model/params';
import type { GPTConfig } from '../../../src/core/model/config';
import { mulberry32, normalArray } from '../../../src/core/random';
import { CharTokenizer, EOS_ID } from '../../../src/core/tokenizer';
import { DpoTrainer, dpoPairs } from '../../../src/core/train/dpo';
import { RewardModelTrainer, type TokenPreference } from '../../../src/core/train/reward-model';
import { configJson, readCheckpointHeader } from '../../../src/lib/persistence/checkpoint-meta';
import { checkpointProblem } from '../../../src/lib/persistence/checkpoint-check';
import { fromBase64 } from '../../../src/lib/persistence/base64';
import { buildSessionFile, parseSessionFile } from '../../../src/lib/persistence/session-file';
import { newSessionRecord } from '../../../src/lib/persistence/session-store';
import { preferencesJsonl, rankingRows } from '../../../src/lib/share/export-formats';
import { useBackend } from '../../helpers/tf';
import { TORCH_PYTHON, needTorch } from '../../helpers/torch';

const SCRIPT = path.resolve(import.meta.dirname, '../../../scripts/continue_torch.py');

const tokenizer = new CharTokenizer([...'abcdefgh .\n']);
const CONFIG: GPTConfig = {
  vocabSize: tokenizer.vocabSize,
  blockSize: 24,
  nLayer: 2,
  nHead: 2,
  nEmbd: 16,
  tiedHead: true,
  scalarHead: true,
};

/**
 * Rankings as the page keeps them: 6 + 2 + 3 = 11 pairs (the tie in the
 * second gives none). The third prompt overflows the 24-token context (the
 * page cuts the prompt from the left) and holds a character the vocabulary
 * lacks ('o', read as UNK).
 */
const RANKINGS = [
  {
    prompt: 'a cab',
    samples: ['he fed a bad cafe.', 'a deaf bee.', 'bad', 'he ate a fig.'],
    ranks: [0, 2, 3, 1],
  },
  { prompt: 'he fed', samples: ['a cab.', 'bad beef', 'a hedge.'], ranks: [1, 0, 1] },
  {
    prompt: 'a big bad cafe had a deaf dog.\nhe',
    samples: ['added a badge.', 'fed', 'gab'],
    ranks: [2, 0, 1],
  },
];
const N_PAIRS = 11;

const answerIds = (s: string) => [...tokenizer.encode(s), EOS_ID];
/** The pairs as the page's DPO task makes them (workers/dpo-task.ts). */
const pagePairs = () =>
  RANKINGS.flatMap((r) => dpoPairs(tokenizer.encode(r.prompt), r.samples.map(answerIds), r.ranks));
/** The rankings as the page's reward worker gives them to its trainer. */
const pageGroups = (): TokenPreference[] =>
  RANKINGS.map((r) => ({
    prompt: tokenizer.encode(r.prompt),
    completions: r.samples.map(answerIds),
    ranks: r.ranks,
  }));

/** Random weights large enough that a mistake cannot hide in near-zero logits. */
function randomWeights(seed: number): Map<string, Float32Array> {
  const rng = mulberry32(seed);
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of parameterShapes(CONFIG)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const w = normalArray(n, 0.15, rng);
    if (/ln_\d\.weight$|ln_f\.weight$/.test(name)) for (let i = 0; i < n; i++) w[i] += 1;
    weights.set(name, w);
  }
  return weights;
}

/** `weights` plus N(0, σ²) noise: a reference near the policy, as the SFT model is near PPO's. */
function perturbed(weights: Map<string, Float32Array>, sigma: number, seed: number) {
  const rng = mulberry32(seed);
  const out = new Map<string, Float32Array>();
  for (const [name, w] of weights) {
    const noise = normalArray(w.length, sigma, rng);
    out.set(
      name,
      w.map((v, i) => v + noise[i]),
    );
  }
  return out;
}

type Metrics = Record<string, number>;

let dir: string;
const policyWeights = randomWeights(5);
const referenceWeights = perturbed(policyWeights, 0.05, 6);
const rmWeights = randomWeights(9);
const files = { policy: '', reference: '', rm: '', preferences: '', session: '' };

/** Writes a model as the page exports it: <name>.safetensors and <name>.config.json. */
async function exportModel(
  weights: Map<string, Float32Array>,
  name: string,
  extra?: Record<string, unknown>,
): Promise<string> {
  const model = gptFromWeights(CONFIG, weights);
  const bytes = await saveCheckpoint(model, tokenizer, { step: 40, extra });
  model.dispose();
  const file = path.join(dir, `${name}.safetensors`);
  writeFileSync(file, bytes);
  writeFileSync(path.join(dir, `${name}.config.json`), configJson(readCheckpointHeader(bytes)));
  return file;
}

/** A session file as the page exports it: SFT fixed, a trained reward model, a PPO run. */
function exportSession(): string {
  const record = { ...newSessionRecord('s1', 'Tiny', 0), sftFixed: true, rmReady: true };
  const bytes = (file: string) => new Uint8Array(readFileSync(file));
  const checkpoint = (name: 'sft' | 'rm' | 'ppo', file: string) => ({
    sessionId: 's1',
    name,
    bytes: bytes(file),
    step: 20, // the run's step in the page (the files say 40)
    fixed: name === 'sft',
    savedAt: 0,
  });
  const session = buildSessionFile({
    session: record,
    rankings: [],
    demonstrations: [],
    labels: [],
    metrics: [],
    checkpoints: [
      checkpoint('sft', files.reference),
      checkpoint('rm', files.rm),
      checkpoint('ppo', files.policy),
    ],
  });
  const file = path.join(dir, 'session.json');
  writeFileSync(file, JSON.stringify(session));
  return file;
}

/** The session file the script wrote, read as the page's Import reads it. */
function importedSession(file: string) {
  const parsed = parseSessionFile(readFileSync(file, 'utf8'));
  expect(parsed.problems).toEqual([]);
  return parsed.file;
}

beforeAll(async () => {
  await useBackend('cpu');
  dir = mkdtempSync(path.join(tmpdir(), 'continue-torch-'));
  files.policy = await exportModel(policyWeights, 'policy');
  files.reference = await exportModel(referenceWeights, 'sft');
  files.rm = await exportModel(rmWeights, 'rm');
  files.preferences = path.join(dir, 'preferences.jsonl');
  writeFileSync(files.preferences, preferencesJsonl(rankingRows(RANKINGS)));
  files.session = exportSession();
});
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

/** Runs the script; returns its training steps' metrics, the pass after training, its files. */
function runScript(args: string[]): {
  steps: Metrics[];
  after: Metrics;
  out: string;
  session: string;
} {
  const tag = Math.random().toString(36).slice(2);
  const metrics = path.join(dir, `metrics-${tag}.jsonl`);
  const out = path.join(dir, `out-${tag}.safetensors`);
  const session = path.join(dir, `session-${tag}.json`);
  const files = ['--metrics', metrics, '--out', out, '--session-out', session];
  const r = spawnSync(TORCH_PYTHON, [SCRIPT, ...args, ...files], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (r.status !== 0) throw new Error(`continue_torch.py failed:\n${r.stderr}`);
  const records = readFileSync(metrics, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Metrics);
  const steps = records.filter((m) => 'loss' in m);
  const last = records.filter((m) => 'eval_loss' in m);
  expect(last).toHaveLength(1);
  const after = Object.fromEntries(
    Object.entries(last[0])
      .filter(([k]) => k.startsWith('eval_'))
      .map(([k, v]) => [k.slice('eval_'.length), v]),
  );
  return { steps, after, out, session };
}

function expectClose(mine: Metrics, theirs: Metrics, keys: string[], tol: number) {
  for (const k of keys) {
    expect(Number.isFinite(theirs[k]), k).toBe(true);
    expect(Math.abs(mine[k] - theirs[k]), `${k}: ${mine[k]} vs ${theirs[k]}`).toBeLessThan(tol);
  }
}

/** Every parameter of a model, as flat arrays by name. */
async function weightsOf(model: GPT): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.named) out.set(name, (await v.data()) as Float32Array);
  return out;
}

const DPO_KEYS = [
  'loss',
  'rewards/chosen',
  'rewards/rejected',
  'rewards/accuracies',
  'rewards/margins',
  'logps/chosen',
  'logps/rejected',
];

describe('scripts/continue_torch.py dpo', () => {
  it('starts at a loss of log 2 when the reference is the policy itself', (ctx) => {
    needTorch(ctx);
    const { steps } = runScript(['dpo', files.policy, files.preferences, '--steps', '1']);
    // −log σ(β·0) = log 2; every implicit reward β·log(π/π_ref) is 0.
    expect(Math.abs(steps[0].loss - Math.LN2)).toBeLessThan(1e-6);
    for (const k of ['rewards/chosen', 'rewards/rejected', 'rewards/margins']) {
      expect(steps[0][k]).toBe(0);
    }
    expect(steps[0]['rewards/accuracies']).toBe(0);
  });

  for (const loss of ['sigmoid', 'ipo'] as const) {
    it(`takes the page's DPO steps against a reference (${loss})`, async (ctx) => {
      needTorch(ctx);
      const settings = { lr: 1e-3, beta: 0.5, loss };
      const torch = runScript([
        'dpo',
        files.policy,
        files.preferences,
        '--reference',
        files.reference,
        '--loss',
        loss,
        '--lr',
        String(settings.lr),
        '--beta',
        String(settings.beta),
        '--batch-size',
        '64', // all pairs every step, so the page's trainer sees the same batches
        '--steps',
        '3',
        ...(loss === 'sigmoid' ? ['--session', files.session] : []),
      ]);
      expect(torch.steps).toHaveLength(3);

      const policy = gptFromWeights(CONFIG, policyWeights);
      const reference = gptFromWeights(CONFIG, referenceWeights);
      const trainer = new DpoTrainer(policy, reference, settings);
      const pairs = pagePairs();
      expect(pairs).toHaveLength(N_PAIRS);
      const page: Metrics[] = [];
      for (let i = 0; i < 3; i++) page.push(await trainer.step(pairs));
      const trained = await weightsOf(policy); // after three updates, as the script's
      page.push(await trainer.step(pairs));
      trainer.dispose();
      // Not at a trivial point: the reference differs and training moves the loss.
      expect(Math.abs(page[0]['rewards/margins'])).toBeGreaterThan(0.005);
      expect(Math.abs(page[2].loss - page[0].loss)).toBeGreaterThan(0.01);
      torch.steps.forEach((m, i) => expectClose(page[i], m, DPO_KEYS, 2e-5));
      // The pass after training is the page's fourth step (measured before its update).
      expectClose(page[3], torch.after, DPO_KEYS, 2e-5);

      // The written weights: the page's loader reads them, and they give the same numbers.
      const bytes = new Uint8Array(readFileSync(torch.out));
      expect(checkpointProblem(bytes)).toBeNull();
      const loaded = loadCheckpoint(bytes);
      expect(loaded.meta.step).toBe(43);
      expect(loaded.tokenizer.chars).toEqual(tokenizer.chars);
      const written = await weightsOf(loaded.model);
      let changed = 0;
      let apart = 0; // ‖torch − page‖² over the trained weights
      let moved = 0; // ‖page − start‖²
      for (const [name, shape] of parameterShapes(CONFIG)) {
        const w = written.get(name)!;
        expect(w.length, name).toBe(shape.reduce((a, b) => a * b, 1));
        expect(w.every(Number.isFinite), name).toBe(true);
        const start = policyWeights.get(name)!;
        const t = trained.get(name)!;
        if (w.some((v, i) => v !== start[i])) changed++;
        w.forEach((v, i) => {
          apart += (v - t[i]) ** 2;
          moved += (t[i] - start[i]) ** 2;
        });
      }
      expect(changed).toBeGreaterThan(10);
      // Where the page's trainer moved them. Adam's first steps are about lr·sign(g), so a
      // weight whose gradient is at float32's noise may go the other way: a few, not more.
      expect(Math.sqrt(apart / moved)).toBeLessThan(0.02);
      // DPO leaves the value head alone.
      expect(written.get('score.weight')).toEqual(policyWeights.get('score.weight'));
      const again = new DpoTrainer(loaded.model, reference, settings);
      expectClose(await again.step(pairs), torch.after, DPO_KEYS, 2e-5);
      again.dispose();

      if (loss === 'sigmoid') {
        // The session copy: the DPO policy is its starting model; PPO's run from the old one is gone.
        const session = importedSession(torch.session);
        expect(fromBase64(session.checkpoints.sft!.data)).toEqual(bytes);
        expect(session.checkpoints.sft!.fixed).toBe(true);
        expect(session.checkpoints.sft!.step).toBe(23); // the session's 20, and 3
        expect(session.checkpoints.ppo).toBeUndefined();
        expect(fromBase64(session.checkpoints.rm!.data)).toEqual(
          new Uint8Array(readFileSync(files.rm)),
        );
        expect(session.session.sftFixed).toBe(true);
      }
      for (const m of [policy, reference, loaded.model]) m.dispose();
    });
  }
});

describe('scripts/continue_torch.py rm', () => {
  it("takes the page's reward-model steps and fits the rankings", async (ctx) => {
    needTorch(ctx);
    // The page's defaults: a head on the frozen trunk, the `ending` readout, lr 1e-2,
    // 8 prompts a step (here all three: full batches), 60 steps.
    const torch = runScript(['rm', files.rm, files.preferences, '--session', files.session]);
    expect(torch.steps).toHaveLength(60);

    const model = gptFromWeights(CONFIG, rmWeights);
    const trainer = new RewardModelTrainer(model, { lr: 1e-2, trains: 'head', readout: 'ending' });
    const groups = pageGroups();
    const before = await trainer.evaluate(groups);
    expect(before.pairs).toBe(N_PAIRS);
    expect(Math.abs(torch.steps[0].loss - before.loss)).toBeLessThan(1e-5);
    expect(torch.steps[0].accuracy).toBeCloseTo(before.accuracy, 9);
    for (let i = 0; i < 60; i++) {
      const page = await trainer.step(groups);
      expect(Math.abs(torch.steps[i].loss - page['rm/loss']), `step ${i + 1}`).toBeLessThan(1e-5);
      expect(torch.steps[i].accuracy).toBeCloseTo(page['rm/accuracy'], 6);
    }
    trainer.dispose();
    model.dispose();

    // It learns the rankings it trains on.
    expect(before.accuracy).toBeLessThan(0.9);
    expect(torch.after.loss).toBeLessThan(before.loss - 0.1);
    expect(torch.after.accuracy).toBeGreaterThan(before.accuracy);

    // The page reads the written model, and it scores the rankings as the script said.
    const bytes = new Uint8Array(readFileSync(torch.out));
    expect(checkpointProblem(bytes)).toBeNull();
    const loaded = loadCheckpoint(bytes);
    expect(loaded.meta.step).toBe(100);
    const written = await weightsOf(loaded.model);
    for (const [name, start] of rmWeights) {
      const w = written.get(name)!;
      expect(w.length, name).toBe(start.length);
      expect(w.every(Number.isFinite), name).toBe(true);
      // Only the head trains.
      if (name.startsWith('score.')) expect(w).not.toEqual(start);
      else expect(w, name).toEqual(start);
    }
    const reader = new RewardModelTrainer(loaded.model, { lr: 1e-2, readout: 'ending' });
    const after = await reader.evaluate(groups);
    expect(Math.abs(after.loss - torch.after.loss)).toBeLessThan(1e-5);
    expect(after.accuracy).toBeCloseTo(torch.after.accuracy, 9);
    reader.dispose();
    loaded.model.dispose();

    // The session copy holds the trained reward model, ready; the rest as it was.
    const session = importedSession(torch.session);
    expect(fromBase64(session.checkpoints.rm!.data)).toEqual(bytes);
    expect(session.checkpoints.rm!.step).toBe(80);
    expect(session.session.rmReady).toBe(true);
    expect(fromBase64(session.checkpoints.ppo!.data)).toEqual(
      new Uint8Array(readFileSync(files.policy)),
    );
  });

  it('reads the head where the page trained it to be read, and writes where it read it', async (ctx) => {
    needTorch(ctx);
    const file = await exportModel(rmWeights, 'rm-last', { rewardReadout: 'last' });
    const torch = runScript(['rm', file, files.preferences, '--steps', '2']);
    const model = gptFromWeights(CONFIG, rmWeights);
    const groups = pageGroups();
    const at = async (readout: 'last' | 'ending') => {
      const t = new RewardModelTrainer(model, { lr: 1e-2, trains: 'head', readout });
      const e = await t.evaluate(groups);
      t.dispose();
      return e.loss;
    };
    const last = await at('last');
    // The readouts differ on this model, so the first loss tells which one the script read.
    expect(Math.abs(last - (await at('ending')))).toBeGreaterThan(1e-3);
    expect(Math.abs(torch.steps[0].loss - last)).toBeLessThan(1e-5);
    model.dispose();
    const extraOf = (f: string) => {
      const loaded = loadCheckpoint(new Uint8Array(readFileSync(f)));
      loaded.model.dispose();
      return loaded.meta.extra ?? {};
    };
    expect(extraOf(torch.out).rewardReadout).toBe('last');
    // Asked for another readout, it trains and writes that one.
    const mean = runScript(['rm', file, files.preferences, '--steps', '1', '--readout', 'mean']);
    expect(extraOf(mean.out).rewardReadout).toBe('mean');
  });
});
