/**
 * TRL's `missing_eos_penalty`: an answer that does not end (no EOS within the
 * sample length) has this subtracted from its reward-model score before an
 * optimiser learns from it. A reward model that reads part of an answer (its
 * mean, its ending) can like a story cut off mid-sentence; the penalty makes
 * finishing worth something. 0 leaves every score as it is.
 */
import { ArgumentError, assertInRange } from '../errors';
import { EOS_ID } from '../tokenizer';

export function penaliseMissingEos(
  scores: readonly number[],
  responses: readonly (readonly number[])[],
  penalty: number,
): number[] {
  assertInRange('missingEosPenalty', penalty, 0, 1e6);
  if (scores.length !== responses.length) {
    throw new ArgumentError(
      'scores',
      `has ${scores.length} scores for ${responses.length} responses; expected one each`,
    );
  }
  return scores.map((s, i) => (responses[i].at(-1) === EOS_ID ? s : s - penalty));
}
