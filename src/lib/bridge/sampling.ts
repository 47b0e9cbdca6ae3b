// Sampling K completions per prompt from a policy worker, with each row's text
// streamed as tokens arrive, in the page's terms (texts grouped by prompt).
import type { PolicyClient } from './workers';

export interface SamplingOptions {
  k: number;
  temperature: number;
  topK: number;
  topP: number;
  maxNewTokens: number;
  seed: number;
}

/** Groups rows (prompt × k) of streamed or final texts into per-prompt lists. */
export function byPrompt<T>(rows: readonly T[], k: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += k) out.push(rows.slice(i, i + k));
  return out;
}

/**
 * K completions per prompt; `onText` sees every row's text so far as tokens
 * stream in. Aborting `signal` ends the batch at the next token (the texts so
 * far are returned).
 */
export async function sampleTexts(
  policy: PolicyClient,
  prompts: string[],
  o: SamplingOptions,
  onText?: (texts: string[][]) => void,
  signal?: AbortSignal,
): Promise<string[][]> {
  const rows = new Array<string>(prompts.length * o.k).fill('');
  const { k, maxNewTokens, temperature, topK, topP, seed } = o;
  const report = await policy.abortable(signal).sample(
    { prompts, k, maxNewTokens, temperature, topK, topP, seed },
    onText
      ? (e) => {
          e.text.forEach((t, i) => (rows[i] += t));
          onText(byPrompt(rows, o.k));
        }
      : undefined,
  );
  return report.completions.map((c) => c.texts);
}
