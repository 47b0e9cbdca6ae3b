// A stage's title and its two sentences (what it does, why) in the current language.
import type { StageId } from '../stages/stages';
import { t, type MessageKey } from './index.svelte';

export function stageText(id: StageId, part: 'title' | 'what' | 'why'): string {
  return t(`stage.${id}.${part}` as MessageKey);
}
