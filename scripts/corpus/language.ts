/**
 * What a language brings to the story generator: word lists, sentence templates for
 * each part of a story, instruction prompts, and how slots like {his} are filled.
 * The plot machinery (story.ts) is shared, so English and Chinese stories have the
 * same structure and the same attributes.
 */
export type Ending = 'happy' | 'sad' | 'open';

export const PROBLEMS = [
  'lost',
  'stuck',
  'rain',
  'hungry',
  'dark',
  'broken',
  'lostWay',
  'lonely',
  'race',
  'sick',
] as const;
export type Problem = (typeof PROBLEMS)[number];

/** What an instruction asks for; each task has its own prompt templates. */
export const TASKS = ['happy', 'sad', 'open', 'animal', 'dialogue', 'short'] as const;
export type Task = (typeof TASKS)[number];

export interface Character {
  name: string;
  gender: 'm' | 'f';
}

export interface AnimalWord {
  /** Canonical id shared by both languages and by src/core/labelers.ts (e.g. 'cat'). */
  id: string;
  word: string;
}

export interface Place {
  /** The bare place: 'the park' / '公园'. */
  word: string;
  /** Where something is: 'in the park' / '公园里'. */
  at: string;
}

/** Everything a story can mention; templates pick what they need. */
export interface Cast {
  hero: Character;
  animal: AnimalWord;
  adjective: string;
  friend: Character;
  friendAnimal: AnimalWord;
  place: Place;
  object: string;
  color: string;
  food: string;
}

export interface ProblemTemplates {
  /** Introduction and problem in one sentence, for two-sentence stories. */
  introProblem: readonly string[];
  problem: readonly string[];
  /** In story order: earlier entries come first when two are used. */
  attempt: readonly string[];
  /** In story order (a question before its answer). */
  dialogue: readonly string[];
  ending: Record<Ending, readonly string[]>;
}

export interface StoryTemplates {
  intro: readonly string[];
  setting: readonly string[];
  feeling: readonly string[];
  problems: Record<Problem, ProblemTemplates>;
  /** An extra last sentence that repeats the ending's mood. */
  closing: Record<Ending, readonly string[]>;
}

/**
 * Templates for the SFT demonstrations: whole stories of two to four short
 * sentences, so that prompt + response fit the models' 128-character context and
 * the ~90 characters they generate when ranking and under PPO.
 */
export interface MiniProblemTemplates {
  /** The first sentence: names the hero and the hero's animal, and the problem. */
  start: readonly string[];
  /** What the hero does about it (no quotes). */
  middle: readonly string[];
  /** One line of speech in quotes. */
  say: readonly string[];
  /** The last sentence, carrying its sentiment (`~`: only if no friend appeared). */
  ending: Record<Ending, readonly string[]>;
}

/** Length limits of SFT pairs, in characters (Unicode code points). */
export interface SftLimits {
  /** The prompt, its final newline included. */
  prompt: number;
  response: number;
}

export interface LanguagePack {
  code: 'en' | 'zh';
  names: readonly Character[];
  animals: readonly AnimalWord[];
  adjectives: readonly string[];
  places: readonly Place[];
  objects: readonly string[];
  colors: readonly string[];
  foods: readonly string[];
  templates: StoryTemplates;
  prompts: Record<Task, readonly string[]>;
  /** Short stories for the SFT demonstrations, by problem. */
  mini: Record<Problem, MiniProblemTemplates>;
  sftLimits: SftLimits;
  /** Between sentences: ' ' in English, nothing in Chinese. */
  separator: string;
  /**
   * Word-count range (labelers' `wordCount`) that a 'short' SFT story must fall in;
   * also the target of the short-and-sweet labeler.
   */
  shortWords: readonly [number, number];
  /**
   * The text of a slot. `friend` is asked as 'friendFirst' on its first mention
   * ("Max the dog") and 'friendName' afterwards ("Max").
   */
  fill(slot: string, cast: Cast): string;
  /** Final touches on a filled sentence (capitalisation, spacing). */
  finish(sentence: string): string;
}
