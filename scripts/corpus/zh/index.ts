/** The Chinese language pack: word lists, templates, prompts and slot filling. */
import type { Cast, LanguagePack, Task } from '../language';
import { ADJECTIVES, ANIMALS, COLORS, FOODS, NAMES, OBJECTS, PLACES } from './lexicon';
import { MINI } from './mini';
import { TEMPLATES } from './templates';

/**
 * Instructions for the SFT pairs; each ends with a newline. Short (at most 25
 * characters, see `sftLimits`) so that the story after them fits the context.
 */
const PROMPTS: Record<Task, readonly string[]> = {
  happy: [
    '写一个关于{animal}的快乐故事。\n',
    '写一个关于{animal}{name}的故事，结局要快乐。\n',
    '讲一个关于{animal}的开心故事。\n',
    '写一个住在{at_place}的{animal}的快乐故事。\n',
  ],
  sad: [
    '写一个关于{animal}的伤心故事。\n',
    '写一个关于{animal}{name}的故事，结局要难过一点。\n',
    '讲一个关于{animal}的难过的故事。\n',
    '讲一个关于{animal}{name}的伤心故事。\n',
  ],
  open: [
    '写一个关于{animal}的故事，结局是开放的。\n',
    '写一个关于{animal}{name}的故事，不要说出结局。\n',
    '讲一个关于{animal}的故事，结局是开放的。\n',
  ],
  animal: [
    '写一个关于{animal}的故事。\n',
    '写一个关于{animal}{name}的故事。\n',
    '讲一个关于{animal}的故事。\n',
    '写一个住在{at_place}的{animal}的故事。\n',
  ],
  dialogue: [
    '写一个有对话的故事，主角是{animal}{name}。\n',
    '写一个关于{animal}的故事，里面要有对话。\n',
    '讲一个有对话的故事，主角是{animal}。\n',
  ],
  short: [
    '写一个关于{animal}的短故事。\n',
    '讲一个很短的关于{animal}{name}的故事。\n',
    '讲一个关于{animal}的短故事。\n',
  ],
};

function fill(slot: string, cast: Cast): string {
  const slots: Record<string, string> = {
    name: cast.hero.name,
    // Children's stories refer to animals with 它.
    he: '它',
    his: '它的',
    animal: cast.animal.word,
    a_animal: `一只${cast.animal.word}`,
    a_adj_animal: `一只${cast.adjective}${cast.animal.word}`,
    place: cast.place.word,
    at_place: cast.place.at,
    in_place: `在${cast.place.at}`,
    object: cast.object,
    color_object: `${cast.color}${cast.object}`,
    food: cast.food,
    friendFirst: `${cast.friendAnimal.word}${cast.friend.name}`,
    friendName: cast.friend.name,
    fhe: '它',
  };
  const text = slots[slot];
  if (text === undefined) throw new Error(`zh: unknown slot {${slot}}`);
  return text;
}

export const CHINESE: LanguagePack = {
  code: 'zh',
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
  sftLimits: { prompt: 25, response: 60 },
  separator: '',
  shortWords: [12, 28],
  fill,
  finish: (sentence) => sentence.trim(),
};
