/**
 * Instruction pairs for supervised fine-tuning (InstructGPT step 1): a prompt such
 * as "Write a happy story about a cat named Tom.\n" and a story that does what it
 * asks. The cast is drawn first, the prompt is written from it, and the story is
 * written for the same cast under the prompt's constraints.
 */
import type { LanguagePack, Task } from './language';
import { pick, type Rng } from './prng';
import { drawCast, writeStory, type StoryAttributes, type StoryRequest } from './story';
import { expand } from './template';

export interface SftAttributes extends StoryAttributes {
  id: string;
  /** What the prompt asks for. */
  task: Task;
}

export interface SftPair {
  prompt: string;
  response: string;
  attributes: SftAttributes;
}

/**
 * Demonstrations are kept to two to five sentences (dialogue ones to six) so that
 * prompt + response fit the short contexts of the small models.
 */
function requestFor(task: Task, pack: LanguagePack): StoryRequest {
  switch (task) {
    case 'happy':
    case 'sad':
    case 'open':
      return { ending: task, sentences: [2, 5] };
    case 'animal':
      return { sentences: [2, 5] };
    case 'dialogue':
      return { dialogue: true, sentences: [4, 6] };
    case 'short':
      return { sentences: [2, 3], words: pack.shortWords };
  }
}

export function writeInstruction(pack: LanguagePack, rng: Rng, task: Task, id: string): SftPair {
  const cast = drawCast(pack, rng);
  const used = new Set<string>();
  const prompt = expand(pick(rng, pack.prompts[task]), rng, (slot) => {
    used.add(slot);
    return pack.fill(slot, cast);
  }).text;
  const request = requestFor(task, pack);
  request.mentionPlace = ['place', 'at_place', 'in_place'].some((s) => used.has(s));
  const story = writeStory(pack, cast, rng, request);
  return { prompt, response: story.text, attributes: { id, task, ...story.attributes } };
}
