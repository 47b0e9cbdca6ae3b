// The pipeline's stages, in order, with the two sentences each one says about
// itself: what it does and why (the InstructGPT / RRHF story).

export type StageId = 'start' | 'demonstrate' | 'rank' | 'reward' | 'optimise' | 'evaluate';

export interface StageInfo {
  id: StageId;
  title: string;
  /** What the stage does. */
  what: string;
  /** Why it is there. */
  why: string;
}

export const STAGES: readonly StageInfo[] = [
  {
    id: 'start',
    title: 'Start',
    what: 'Pick a task: a set of prompts, a small pretrained language model, and a simulated labeler whose taste stands in for a “gold” judge.',
    why: 'Everything runs in this page: the models train in Web Workers on your GPU, or on the CPU when there is none.',
  },
  {
    id: 'demonstrate',
    title: 'Demonstrate',
    what: 'Supervised fine-tuning (SFT): the model learns from examples of good answers, the preset’s and any you write.',
    why: 'A pretrained model only continues text; InstructGPT’s first step teaches it the task, and the result is the reference that later steps must not stray far from.',
  },
  {
    id: 'rank',
    title: 'Rank',
    what: 'For each prompt the model writes K answers and you order them, best first; each ranking becomes C(K,2) comparisons.',
    why: 'People agree more when comparing answers than when grading them, so InstructGPT collects rankings, not scores.',
  },
  {
    id: 'reward',
    title: 'Reward model',
    what: 'A copy of the SFT model with a scalar head learns to give your preferred answers the higher score: −log σ(r_better − r_worse) over every pair.',
    why: 'You cannot rank every sample the optimiser will ever write; the reward model stands in for you, and held-out accuracy says how well.',
  },
  {
    id: 'optimise',
    title: 'Optimise',
    what: 'PPO samples, scores with the reward model and updates the policy, with a KL penalty to the SFT model; RRHF instead ranks k samples by reward and pushes their likelihoods into that order.',
    why: 'Both pull the policy toward what you prefer; running them side by side from the same start shows how differently they get there.',
  },
  {
    id: 'evaluate',
    title: 'Evaluate',
    what: 'The optimised policies and the SFT model answer held-out prompts; the reward model and the gold labeler score every answer.',
    why: 'A rising reward can be reward hacking: the gold score, which the optimiser never saw, tells whether the policy really got better.',
  },
];

export function stageIndex(id: StageId): number {
  return STAGES.findIndex((s) => s.id === id);
}

export function isStageId(s: string | null): s is StageId {
  return STAGES.some((x) => x.id === s);
}

/** What the navigation asks of the page to mark a stage done. */
export interface StageProgress {
  readonly ready: boolean;
  readonly sft: { readonly run: { readonly step: number } };
  readonly ranking: { readonly comparisons: number };
  readonly rm: { readonly ready: boolean };
  readonly optimise: { readonly stepsTaken: number };
  readonly evaluation: { readonly results: readonly unknown[] };
}

/** Whether a stage is done, as the navigation marks it. */
export function stageDone(pg: StageProgress, id: StageId): boolean {
  switch (id) {
    case 'start':
      return pg.ready;
    case 'demonstrate':
      // Trained: a reference fixed without a step of SFT (the base model) is not a demonstration stage done.
      return pg.sft.run.step > 0;
    case 'rank':
      return pg.ranking.comparisons > 0;
    case 'reward':
      return pg.rm.ready;
    case 'optimise':
      return pg.optimise.stepsTaken > 0;
    case 'evaluate':
      return pg.evaluation.results.length > 0;
  }
}
