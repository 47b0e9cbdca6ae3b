/** A generated text with its reward-model score (null without one) and its gold labeler score. */
export interface ScoredText {
  text: string;
  rm: number | null;
  gold: number;
}
