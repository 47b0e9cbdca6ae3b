/**
 * A lesson's results as `npm run lessons -- --json` writes them, and back:
 * the report is made again from these files (`--merge`, `--summary`), so
 * seeds measured in separate processes, or in earlier runs, read as one.
 */
import { readFileSync } from 'node:fs';
import type { Proportion } from '../../src/core/index';
import type { LessonResult, Method, MethodRow } from './lesson';

type SavedMethod = Omit<MethodRow, 'winRateVsSft'> & {
  winRateVsSft: number;
  winRateInterval: Proportion;
};
export type Saved = Omit<LessonResult, 'winRateVsSft' | 'adaptive' | 'examples' | Method> & {
  winRateIntervals: LessonResult['winRateVsSft'];
} & Partial<Record<Method, SavedMethod>> & {
    adaptive?: Omit<NonNullable<LessonResult['adaptive']>, 'winRateVsSft'> & {
      winRateVsSft: number;
    };
  };
export interface SavedPreset {
  preset: string;
  command: string;
  seeds: Saved[];
}

/** The presets of one `--json` file (one preset is written bare, several as a list). */
export function readSaved(file: string): SavedPreset[] {
  const body = JSON.parse(readFileSync(file, 'utf8')) as SavedPreset | SavedPreset[];
  return Array.isArray(body) ? body : [body];
}

/** A seed as `--json` wrote it, back in the shape the report reads. */
export function fromSaved(r: Saved): LessonResult {
  const { winRateIntervals, adaptive, dpo, grpo, bon, ...rest } = r;
  const method = (d: SavedMethod | undefined) =>
    d ? { ...d, winRateVsSft: d.winRateInterval } : undefined;
  const first = (a: string[] | undefined) => a?.[0] ?? '';
  return {
    ...rest,
    klTarget: r.klTarget ?? null,
    winRateVsSft: winRateIntervals,
    examples: {
      sft: first(r.answers?.sft),
      ppo: first(r.answers?.ppo),
      rrhf: first(r.answers?.rrhf),
    },
    ...(dpo ? { dpo: method(dpo) } : {}),
    ...(grpo ? { grpo: method(grpo) } : {}),
    ...(bon ? { bon: method(bon) } : {}),
    ...(adaptive
      ? {
          adaptive: {
            ...adaptive,
            winRateVsSft: { rate: adaptive.winRateVsSft, low: NaN, high: NaN, n: NaN },
          },
        }
      : {}),
  };
}
