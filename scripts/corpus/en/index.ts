/** The English language pack: word lists, templates, prompts and slot filling. */
import type { Cast, LanguagePack, Task } from '../language';
import { ADJECTIVES, ANIMALS, COLORS, FOODS, NAMES, OBJECTS, PLACES } from './lexicon';
import { MINI } from './mini';
import { TEMPLATES } from './templates';

/**
 * Instructions for the SFT pairs; each ends with a newline. Short (at most 45
 * characters, see `sftLimits`) so that the story after them fits the context.
 */
const PROMPTS: Record<Task, readonly string[]> = {
  happy: [
    'Write a happy story about {a_animal}.\n',
    'Tell a happy story about {name} the {animal}.\n',
    'Write a story about {a_animal} that ends well.\n',
    'A happy story about {a_animal}, please.\n',
  ],
  sad: [
    'Write a sad story about {a_animal}.\n',
    'Tell a sad story about {name} the {animal}.\n',
    'Write a story about {a_animal} that ends sadly.\n',
    'A sad story about {a_animal} named {name}.\n',
  ],
  open: [
    'A story about {a_animal} with an open ending.\n',
    'Write a story about {a_animal}, open ending.\n',
    'A story about {name} the {animal}, open ending.\n',
  ],
  animal: [
    'Write a story about {a_animal}.\n',
    'Write a story about {a_animal} named {name}.\n',
    'Tell me a story about {name} the {animal}.\n',
    'Write about {a_animal} {at_place}.\n',
    'Tell a story about {a_animal}.\n',
  ],
  dialogue: [
    'Write a story about {a_animal} with dialogue.\n',
    '{A_animal} story with dialogue, please.\n',
    'A story about {a_animal} where someone talks.\n',
  ],
  short: [
    'Write a short story about {a_animal}.\n',
    'A very short story about {a_animal}.\n',
    'Tell a short story about {name} the {animal}.\n',
    'Tell me a tiny story about {a_animal}.\n',
  ],
};

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

const pronouns = { m: ['he', 'his', 'him'], f: ['she', 'her', 'her'] } as const;

function fill(slot: string, cast: Cast): string {
  const [he, his, him] = pronouns[cast.hero.gender];
  const [fhe, fhis, fhim] = pronouns[cast.friend.gender];
  const slots: Record<string, string> = {
    name: cast.hero.name,
    he,
    his,
    him,
    animal: cast.animal.word,
    a_animal: `${article(cast.animal.word)} ${cast.animal.word}`,
    a_adj_animal: `${article(cast.adjective)} ${cast.adjective} ${cast.animal.word}`,
    place: cast.place.word,
    at_place: cast.place.at,
    object: cast.object,
    color_object: `${cast.color} ${cast.object}`,
    a_color_object: `${article(cast.color)} ${cast.color} ${cast.object}`,
    food: cast.food,
    friendFirst: `${cast.friend.name} the ${cast.friendAnimal.word}`,
    friendName: cast.friend.name,
    fhe,
    fhis,
    fhim,
  };
  // {He} and {His} read better at the start of a template than {he}.
  const text = slots[slot] ?? slots[slot.toLowerCase()];
  if (text === undefined) throw new Error(`en: unknown slot {${slot}}`);
  return slot === slot.toLowerCase() ? text : text[0].toUpperCase() + text.slice(1);
}

/** Capitalises the first letter (after an opening quote) and tidies spaces. */
function finish(sentence: string): string {
  const tidy = sentence
    .replace(/ {2,}/g, ' ')
    .replace(/ ([,.!?])/g, '$1')
    .trim();
  return tidy.replace(/^("?)([a-z])/, (_, quote: string, c: string) => quote + c.toUpperCase());
}

export const ENGLISH: LanguagePack = {
  code: 'en',
  names: NAMES,
  animals: ANIMALS,
  adjectives: ADJECTIVES,
  places: PLACES,
  objects: OBJECTS,
  colors: COLORS,
  foods: FOODS,
  templates: TEMPLATES,
  prompts: PROMPTS,
  mini: MINI,
  sftLimits: { prompt: 45, response: 88 },
  separator: ' ',
  shortWords: [6, 12],
  fill,
  finish,
};
