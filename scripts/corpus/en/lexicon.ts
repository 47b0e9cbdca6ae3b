/**
 * English word lists. Kept to plain ASCII letters so the character-level model's
 * vocabulary stays small; no word here is a sentiment keyword of src/core/labelers.ts
 * (no "Joy", no "happy" adjective), so only a story's ending decides its sentiment.
 */
import type { AnimalWord, Character, Place } from '../language';

const people = (gender: 'm' | 'f', names: string): Character[] =>
  names.split(' ').map((name) => ({ name, gender }));

export const NAMES: readonly Character[] = [
  ...people('m', 'Tom Max Ben Sam Leo Jack Finn Noah Kai Oscar Milo Theo Hugo Omar Eli Ravi'),
  ...people('m', 'Luca Otto Felix Jun Pip Rex Toby'),
  ...people('f', 'Lily Mia Anna Emma Lucy Rosa Zoe Ella Ruby Nina Ivy Lola Maya Tara Sara'),
  ...people('f', 'Ada Bella Hana Olive Daisy Poppy Greta'),
];

export const ANIMALS: readonly AnimalWord[] = [
  ['cat', 'cat'],
  ['dog', 'dog'],
  ['rabbit', 'rabbit'],
  ['bear', 'bear'],
  ['panda', 'panda'],
  ['duck', 'duck'],
  ['fox', 'fox'],
  ['owl', 'owl'],
  ['mouse', 'mouse'],
  ['frog', 'frog'],
  ['pig', 'pig'],
  ['lion', 'lion'],
  ['tiger', 'tiger'],
  ['elephant', 'elephant'],
  ['monkey', 'monkey'],
  ['turtle', 'turtle'],
  ['bird', 'bird'],
  ['horse', 'horse'],
  ['sheep', 'sheep'],
  ['squirrel', 'squirrel'],
  ['chicken', 'chicken'],
  ['cow', 'cow'],
  ['penguin', 'penguin'],
  ['deer', 'deer'],
  ['hedgehog', 'hedgehog'],
].map(([id, word]) => ({ id, word }));

export const ADJECTIVES: readonly string[] = (
  'little small young brave shy kind clever curious busy quiet tiny fluffy brown gray ' +
  'white spotted sleepy friendly old playful gentle'
).split(' ');

const place = (word: string, at: string): Place => ({ word, at });

export const PLACES: readonly Place[] = [
  place('the park', 'in the park'),
  place('the forest', 'in the forest'),
  place('the garden', 'in the garden'),
  place('the farm', 'on the farm'),
  place('the beach', 'at the beach'),
  place('the river', 'by the river'),
  place('the hill', 'on the green hill'),
  place('the meadow', 'in the meadow'),
  place('the pond', 'by the pond'),
  place('the lake', 'by the lake'),
  place('the woods', 'in the woods'),
  place('the valley', 'in the valley'),
  place('the village', 'in a small village'),
  place('the town', 'in a little town'),
  place('the field', 'in the big field'),
  place('the jungle', 'in the jungle'),
  place('the island', 'on a small island'),
  place('the mountain', 'on the mountain'),
];

export const OBJECTS: readonly string[] = [
  'kite',
  'toy boat',
  'toy car',
  'toy train',
  'drum',
  'cup',
  'music box',
  'wagon',
  'bike',
  'bell',
  'umbrella',
  'flute',
  'whistle',
  'lantern',
  'bowl',
  'clock',
  'robot',
];

export const COLORS: readonly string[] =
  'red blue green yellow orange purple pink silver shiny new old little striped'.split(' ');

/** Plural so that "them" and "were" fit every template. */
export const FOODS: readonly string[] = (
  'apples berries carrots nuts cookies pears plums grapes cherries acorns bananas ' +
  'strawberries seeds'
).split(' ');
