/**
 * Plots and writes one story. The plot is language-neutral: a hero (a named animal)
 * meets a problem, maybe talks, tries things, and the story ends happily, sadly or
 * open. A language pack supplies the sentences. The attributes come from the plot
 * (not from reading the text back), so tests can check the text against them.
 */
import { wordCount } from '../../src/core/text-attributes';
import { PROBLEMS, type Cast, type Ending, type LanguagePack, type Problem } from './language';
import { chance, pick, sampleInOrder, weighted, type Rng } from './prng';
import { expand, type Expanded } from './template';

/** Model input must stay short: a story never exceeds this many characters. */
export const MAX_STORY_CHARS = 600;

/** Marks an ending in which nobody helps: it cannot follow a friend's appearance. */
const ALONE = '~';

/** Slots that name the story's place, in either language. */
const PLACE_SLOTS = ['place', 'at_place', 'in_place'];

/** Mostly short stories (small models, short contexts), some up to eight sentences. */
const SENTENCE_WEIGHTS: readonly (readonly [number, number])[] = [
  [2, 16],
  [3, 21],
  [4, 20],
  [5, 15],
  [6, 12],
  [7, 9],
  [8, 7],
];

const ENDING_WEIGHTS: readonly (readonly [Ending, number])[] = [
  ['happy', 0.5],
  ['sad', 0.25],
  ['open', 0.25],
];

export interface StoryRequest {
  ending?: Ending;
  dialogue?: boolean;
  /** Inclusive range of sentence counts. */
  sentences?: readonly [number, number];
  /** Inclusive range of `wordCount(text)`. */
  words?: readonly [number, number];
  /** The place must be named (the prompt named it). */
  mentionPlace?: boolean;
}

export interface StoryAttributes {
  /** Canonical animal id, the same in every language (e.g. 'cat'). */
  animal: string;
  /** The word the story uses for it ('cat', '小猫'). */
  animalWord: string;
  name: string;
  place: string | null;
  object: string | null;
  food: string | null;
  friend: string | null;
  friendAnimal: string | null;
  problem: Problem;
  ending: Ending;
  sentences: number;
  words: number;
  chars: number;
  hasDialogue: boolean;
}

export interface Story {
  text: string;
  attributes: StoryAttributes;
  /** The shape of each sentence (template with alternatives chosen, slots unfilled). */
  shapes: string[];
}

export function drawCast(pack: LanguagePack, rng: Rng): Cast {
  const hero = pick(rng, pack.names);
  const animal = pick(rng, pack.animals);
  const others = <T>(items: readonly T[], not: T) => items.filter((x) => x !== not);
  return {
    hero,
    animal,
    adjective: pick(rng, pack.adjectives),
    friend: pick(rng, others(pack.names, hero)),
    friendAnimal: pick(rng, others(pack.animals, animal)),
    place: pick(rng, pack.places),
    object: pick(rng, pack.objects),
    color: pick(rng, pack.colors),
    food: pick(rng, pack.foods),
  };
}

type Part = 'setting' | 'feeling' | 'dialogue' | 'attempt' | 'closing';

/** Which templates a story of `n` sentences uses, in reading order. */
function plan(
  t: LanguagePack['templates'],
  problem: Problem,
  ending: Ending,
  n: number,
  wantDialogue: boolean,
  rng: Rng,
): string[] {
  const p = t.problems[problem];
  // A hero with no friends cannot have been introduced with a best friend.
  const setting =
    problem === 'lonely' ? t.setting.filter((x) => !x.includes('{friend}')) : t.setting;
  if (n === 2) return [pick(rng, p.introProblem), pick(rng, p.ending[ending])];
  const limit: Record<Part, number> = {
    setting: 1,
    feeling: 1,
    dialogue: wantDialogue ? Math.min(2, p.dialogue.length) : 0,
    attempt: 2,
    closing: 1,
  };
  const count: Record<Part, number> = {
    setting: 0,
    feeling: 0,
    dialogue: 0,
    attempt: 0,
    closing: 0,
  };
  let extras = n - 3;
  if (wantDialogue) {
    count.dialogue = 1;
    extras--;
  }
  const appeal: Record<Part, number> = {
    setting: 1,
    feeling: 1,
    dialogue: 1.2,
    attempt: 1.5,
    closing: 1,
  };
  for (; extras > 0; extras--) {
    const open = (Object.keys(limit) as Part[]).filter((k) => count[k] < limit[k]);
    count[
      weighted(
        rng,
        open.map((k) => [k, appeal[k]] as const),
      )
    ]++;
  }
  const dialogue = sampleInOrder(rng, p.dialogue, count.dialogue);
  const attempts = sampleInOrder(rng, p.attempt, count.attempt);
  return [
    pick(rng, t.intro),
    ...(count.setting ? [pick(rng, setting)] : []),
    pick(rng, p.problem),
    ...(count.feeling ? [pick(rng, t.feeling)] : []),
    ...dialogue,
    ...attempts,
    pick(rng, p.ending[ending]),
    ...(count.closing ? [pick(rng, t.closing[ending])] : []),
  ];
}

function sentenceCountFor(rng: Rng, request: StoryRequest, wantDialogue: boolean): number {
  const [lo, hi] = request.sentences ?? [2, 8];
  // A dialogue line is an extra sentence on top of intro, problem and ending.
  const min = Math.max(lo, wantDialogue ? 4 : 2);
  const allowed = SENTENCE_WEIGHTS.filter(([n]) => n >= min && n <= hi);
  if (allowed.length === 0) throw new Error(`no story length fits [${lo}, ${hi}]`);
  return weighted(rng, allowed);
}

/** The literal word a sentence shape opens with ("Then", "于是"), or '' if it opens with a slot. */
function opener(shape: string): string {
  return shape.startsWith('{') ? '' : shape.split(/[ ,，]/)[0];
}

/**
 * Expands a template, re-drawing its alternatives (a few times) when it would open
 * with the same connective as the sentence before ("Next, … Next, …").
 */
function expandAfter(
  previous: Expanded | undefined,
  template: string,
  rng: Rng,
  fill: (slot: string) => string,
): Expanded {
  const avoid = previous ? opener(previous.shape) : '';
  for (let tries = 0; ; tries++) {
    const shape = expand(template, rng, () => '').shape;
    if (avoid === '' || opener(shape) !== avoid || tries === 4) {
      return { shape, text: expand(shape, rng, fill).text };
    }
  }
}

/** One attempt at a story; undefined when it breaks the request (the caller retries). */
function tryStory(
  pack: LanguagePack,
  cast: Cast,
  rng: Rng,
  request: StoryRequest,
): Story | undefined {
  const ending = request.ending ?? weighted(rng, ENDING_WEIGHTS);
  const problem = pick(rng, PROBLEMS);
  const roomForDialogue = (request.sentences?.[1] ?? 8) >= 4;
  const wantDialogue = request.dialogue ?? (roomForDialogue && chance(rng, 0.4));
  const n = sentenceCountFor(rng, request, wantDialogue);
  const templates = plan(pack.templates, problem, ending, n, wantDialogue && n >= 4, rng);

  const mentioned = new Set<string>();
  const fill = (slot: string): string => {
    const key = slot === 'friend' ? (mentioned.has('friend') ? 'friendName' : 'friendFirst') : slot;
    mentioned.add(slot);
    return pack.fill(key, cast);
  };
  const sentences: Expanded[] = [];
  for (const template of templates) {
    sentences.push(expandAfter(sentences.at(-1), template.replace(ALONE, ''), rng, fill));
  }
  const text = sentences.map((s) => pack.finish(s.text)).join(pack.separator);
  const words = wordCount(text);

  const named = (...slots: string[]) => slots.some((s) => mentioned.has(s));
  const hasDialogue = templates.some((t) => pack.templates.problems[problem].dialogue.includes(t));
  if (text.length > MAX_STORY_CHARS) return undefined;
  if (request.words && (words < request.words[0] || words > request.words[1])) return undefined;
  if (request.mentionPlace && !named(...PLACE_SLOTS)) return undefined;
  if (request.dialogue !== undefined && request.dialogue !== hasDialogue) return undefined;
  if (templates.some((t) => t.startsWith(ALONE)) && named('friend')) return undefined;

  const friendNamed = named('friend');
  return {
    text,
    shapes: sentences.map((s) => s.shape),
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
      ending,
      sentences: templates.length,
      words,
      chars: text.length,
      hasDialogue,
    },
  };
}

/** A story for `cast` that satisfies `request`; retries with fresh choices if needed. */
export function writeStory(
  pack: LanguagePack,
  cast: Cast,
  rng: Rng,
  request: StoryRequest = {},
): Story {
  for (let attempt = 0; attempt < 200; attempt++) {
    const story = tryStory(pack, cast, rng, request);
    if (story) return story;
  }
  throw new Error(`${pack.code}: no story satisfies ${JSON.stringify(request)}`);
}
