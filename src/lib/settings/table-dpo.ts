// The settings table, DPO: direct preference optimisation from the person's
// rankings, against the frozen SFT model. Sources and reasons for each default
// are in its `source`; settings.ts assembles the whole table.
import type { SettingSpec } from './setting-spec';

export const DPO_SETTINGS = {
  'dpo.beta': {
    kind: 'number',
    group: 'dpo',
    live: { run: 'dpo', field: 'beta' },
    label: 'β',
    default: 0.5,
    min: 0.001,
    max: 10,
    step: 0.01,
    help: 'How far the policy may move from the SFT model: the implicit reward is β·log(π/π_SFT). Smaller lets it move further.',
    source:
      'the DPO paper used 0.1–0.5 (TRL’s default 0.1); npm run lessons (docs/lessons.md), happy-endings seeds 1–3 over SFT: at 0.1 gold +0.17 and +0.14 (KL 9.2 and 3.9 nats), at 0.5 +0.31, +0.37 and +0.08 (KL 2–5), at 1 +0.14, +0.31 and +0.08',
  },
  'dpo.loss': {
    kind: 'choice',
    group: 'dpo',
    live: { run: 'dpo', field: 'loss' },
    label: 'Loss',
    default: 'sigmoid',
    options: [
      { value: 'sigmoid', label: 'DPO: −log σ(β·margin)' },
      { value: 'ipo', label: 'IPO: (margin − 1/(2β))²' },
    ],
    help: 'DPO’s logistic loss keeps pushing the margin up; IPO’s squared loss stops at a margin of 1/(2β), so it cannot overfit a few rankings as far.',
    source:
      'Rafailov et al. 2023 (DPO); Azar et al. 2023 (IPO), as TRL’s loss_type; npm run lessons (docs/lessons.md), happy-endings seeds 1–3 at β 0.5: IPO moved gold +0.10, +0.00 and +0.16 over SFT at KL 8–15 nats, DPO +0.31, +0.37 and +0.08 at KL 2–5',
  },
  'dpo.lr': {
    kind: 'number',
    group: 'dpo',
    live: { run: 'dpo', field: 'lr' },
    label: 'Learning rate',
    default: 5e-5,
    min: 1e-7,
    max: 0.01,
    help: 'Adam step size for the policy.',
    source: 'RRHF’s rate on the same model; TRL uses 1e-6 at 7B',
  },
  'dpo.batchSize': {
    kind: 'int',
    group: 'dpo',
    live: { run: 'dpo', field: 'batchSize' },
    label: 'Pairs per step',
    default: 8,
    min: 1,
    max: 64,
    help: 'Preference pairs (a better and a worse answer to one prompt) per update.',
    source: 'scaled down',
  },
  'dpo.steps': {
    kind: 'int',
    group: 'dpo',
    label: 'Steps',
    default: 40,
    min: 1,
    max: 100_000,
    help: 'DPO updates before it stops by itself.',
    source:
      'ten rankings of four hold about 60 pairs: about five passes over them; 80 steps (seed 1) reached the same gold (0.52) at KL 7.9 instead of 3.2',
  },
} as const satisfies Record<string, SettingSpec>;
