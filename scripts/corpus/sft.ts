/**
 * Instruction pairs for supervised fine-tuning (InstructGPT step 1): a prompt such
 * as "Write a happy story about a cat.\n" and a story that does what it asks.
 *
 * The models read 128 characters (prompt + response + EOS) and write at most ~90
 * when ranking and under PPO, so a demonstration is a whole little story of two to
 * four short sentences (`pack.mini`), within `pack.sftLimits`: the ending, the
 * animal and the dialogue are all inside what the model writes. The cast is drawn
 * first, the prompt is written from it, and the story for the same cast under the
 * prompt's constraints; every story is checked with the labelers before it is kept.
 * The pretraining stories (story.ts) are a separate stream and are not affected.
 */
import { endingSentiment } from '../../src/core/story-ending';
import {
  detectAnimals,
  hasDialogue,
  mentionsWord,
  sentenceCount,
  wordCount,
} from '../../src/core/text-attributes';
import { PROBLEMS, type Cast, type Ending, type LanguagePack, type Task } from './language';
import { chance, pick, sampleInOrder, weighted, type Rng } from './prng';
import { drawCast, type StoryAttributes } from './story';
import { expand } from './template';

/** The models' context: prompt + response + EOS must fit. */
export const CONTEXT_CHARS = 128;

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

/** Length in Unicode code points (what the character-level tokenizer counts). */
export const charLength = (text: string): number => Array.from(text).length;

/** Marks an ending in which nobody helps: it cannot follow a friend's appearance. */
const ALONE = '~';
const PLACE_SLOTS = ['place', 'at_place', 'in_place'];

const ENDING_WEIGHTS: readonly (readonly [Ending, number])[] = [
  ['happy', 0.5],
  ['sad', 0.25],
  ['open', 0.25],
];

/** Sentences in a demonstration; four only when they are short enough to fit. */
const SENTENCE_WEIGHTS: readonly (readonly [number, number])[] = [
  [2, 5],
  [3, 4],
  [4, 1],
];

interface MiniRequest {
  ending: Ending;
  dialogue: boolean;
  sentences: number;
  /** Inclusive range of `wordCount(text)`. */
  words?: readonly [number, number];
  mentionPlace: boolean;
  maxChars: number;
}

function requestFor(
  task: Task,
  pack: LanguagePack,
  rng: Rng,
): Omit<MiniRequest, 'mentionPlace' | 'maxChars'> {
  const ending = task === 'happy' || task === 'sad' || task === 'open' ? task : undefined;
  if (task === 'short') {
    return {
      ending: weighted(rng, ENDING_WEIGHTS),
      dialogue: false,
      sentences: 2,
      words: pack.shortWords,
    };
  }
  const dialogue =
    task === 'dialogue' || (task !== 'animal' ? chance(rng, 0.25) : chance(rng, 0.4));
  const sentences = weighted(
    rng,
    SENTENCE_WEIGHTS.filter(([n]) => !dialogue || n >= 3),
  );
  return { ending: ending ?? weighted(rng, ENDING_WEIGHTS), dialogue, sentences };
}

interface Mini {
  text: string;
  attributes: StoryAttributes;
}

/** One attempt at a short story; undefined when it breaks the request (the caller retries). */
function tryMini(pack: LanguagePack, cast: Cast, rng: Rng, request: MiniRequest): Mini | undefined {
  const problem = pick(rng, PROBLEMS);
  const t = pack.mini[problem];
  const middles = request.sentences - 2;
  const says = request.dialogue ? 1 : 0;
  const doings = sampleInOrder(rng, t.middle, middles - says);
  const said = sampleInOrder(rng, t.say, says);
  // The line of speech comes before or after what the hero does.
  const middle = chance(rng, 0.5) ? [...said, ...doings] : [...doings, ...said];
  const ending = pick(rng, t.ending[request.ending]);
  const templates = [pick(rng, t.start), ...middle, ending];

  const mentioned = new Set<string>();
  const fill = (slot: string): string => {
    const key = slot === 'friend' ? (mentioned.has('friend') ? 'friendName' : 'friendFirst') : slot;
    mentioned.add(slot.toLowerCase());
    return pack.fill(key, cast);
  };
  const text = templates
    .map((template) => pack.finish(expand(template.replace(ALONE, ''), rng, fill).text))
    .join(pack.separator);

  const named = (...slots: string[]) => slots.some((s) => mentioned.has(s));
  const words = wordCount(text);
  if (charLength(text) > request.maxChars) return undefined;
  if (request.words && (words < request.words[0] || words > request.words[1])) return undefined;
  if (request.mentionPlace && !named(...PLACE_SLOTS)) return undefined;
  if (ending.startsWith(ALONE) && named('friend')) return undefined;
  // The labelers read the text back: it must say what the plot says.
  if (endingSentiment(text) !== request.ending) return undefined;
  if (hasDialogue(text) !== request.dialogue) return undefined;
  if (!detectAnimals(text).includes(cast.animal.id)) return undefined;
  if (!mentionsWord(text, cast.hero.name)) return undefined;

  const friendNamed = named('friend');
  return {
    text,
    attributes: {
      animal: cast.animal.id,
      animalWord: cast.animal.word,
      name: cast.hero.name,
      place: named(...PLACE_SLOTS) ? cast.place.word : null,
      object: named('object', 'color_object', 'a_color_object') ? cast.object : null,
      food: named('food') ? cast.food : null,
      friend: friendNamed ? cast.friend.name : null,
      friendAnimal: friendNamed ? cast.friendAnimal.id : null,
      problem,
      ending: request.ending,
      sentences: sentenceCount(text),
      words,
      chars: charLength(text),
      hasDialogue: request.dialogue,
    },
  };
}

/**
 * A prompt for `task` and a story that does what it asks. What the story must be
 * (ending, dialogue) is drawn once; when no story of the drawn length fits, a
 * shorter one is tried (four sentences rarely fit in English), so the mix of
 * endings and dialogue is the drawn one.
 */
export function writeInstruction(pack: LanguagePack, rng: Rng, task: Task, id: string): SftPair {
  const limits = pack.sftLimits;
  const wanted = requestFor(task, pack, rng);
  for (let attempt = 0; attempt < 200; attempt++) {
    const cast = drawCast(pack, rng);
    const used = new Set<string>();
    const prompt = expand(pick(rng, pack.prompts[task]), rng, (slot) => {
      used.add(slot);
      return pack.fill(slot, cast);
    }).text;
    const promptChars = charLength(prompt);
    if (promptChars > limits.prompt) continue;
    const request: MiniRequest = {
      ...wanted,
      sentences: Math.max(wanted.dialogue ? 3 : 2, wanted.sentences - Math.floor(attempt / 4)),
      mentionPlace: PLACE_SLOTS.some((s) => used.has(s)),
      maxChars: Math.min(limits.response, CONTEXT_CHARS - 1 - promptChars),
    };
    for (let tries = 0; tries < 20; tries++) {
      const story = tryMini(pack, cast, rng, request);
      if (story) {
        return { prompt, response: story.text, attributes: { id, task, ...story.attributes } };
      }
    }
  }
  throw new Error(`${pack.code}: no short story fits the ${task} task`);
}
