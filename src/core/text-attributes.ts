/**
 * Attributes of a story detected from its text alone (a model's output has no
 * side file): which animals it names and which one a prompt asks for, whether
 * it quotes speech, and how many words and sentences it has, in English and
 * Chinese. How it ends is judged in `story-ending.ts`.
 */
import { ArgumentError } from './errors';

interface AnimalWords {
  id: string;
  en: readonly string[];
  zh: readonly string[];
}

/**
 * Animal words by canonical id. Chinese entries are matched longest-first so that
 * 熊猫 (panda) is not also read as 熊 (bear) and 猫 (cat); 马 and 牛 appear only in
 * compounds because 马上 ("at once") and 牛奶 ("milk") are everyday words.
 */
export const ANIMALS: readonly AnimalWords[] = [
  { id: 'cat', en: ['cat', 'cats', 'kitten', 'kittens', 'kitty'], zh: ['猫'] },
  { id: 'dog', en: ['dog', 'dogs', 'puppy', 'puppies'], zh: ['狗'] },
  { id: 'rabbit', en: ['rabbit', 'rabbits', 'bunny', 'bunnies'], zh: ['兔'] },
  { id: 'bear', en: ['bear', 'bears'], zh: ['熊'] },
  { id: 'panda', en: ['panda', 'pandas'], zh: ['熊猫'] },
  { id: 'duck', en: ['duck', 'ducks', 'duckling', 'ducklings'], zh: ['鸭'] },
  { id: 'fox', en: ['fox', 'foxes'], zh: ['狐狸'] },
  { id: 'owl', en: ['owl', 'owls'], zh: ['猫头鹰'] },
  { id: 'mouse', en: ['mouse', 'mice'], zh: ['老鼠'] },
  { id: 'frog', en: ['frog', 'frogs'], zh: ['青蛙'] },
  { id: 'pig', en: ['pig', 'pigs', 'piglet', 'piglets'], zh: ['猪'] },
  { id: 'lion', en: ['lion', 'lions'], zh: ['狮子'] },
  { id: 'tiger', en: ['tiger', 'tigers'], zh: ['老虎'] },
  { id: 'elephant', en: ['elephant', 'elephants'], zh: ['大象', '小象'] },
  { id: 'monkey', en: ['monkey', 'monkeys'], zh: ['猴'] },
  { id: 'turtle', en: ['turtle', 'turtles'], zh: ['乌龟'] },
  { id: 'bird', en: ['bird', 'birds'], zh: ['鸟'] },
  { id: 'horse', en: ['horse', 'horses', 'pony', 'ponies'], zh: ['小马', '马儿'] },
  { id: 'sheep', en: ['sheep', 'lamb', 'lambs'], zh: ['羊'] },
  { id: 'squirrel', en: ['squirrel', 'squirrels'], zh: ['松鼠'] },
  { id: 'chicken', en: ['chicken', 'chickens', 'hen', 'hens', 'chick', 'chicks'], zh: ['鸡'] },
  { id: 'cow', en: ['cow', 'cows', 'calf'], zh: ['奶牛', '小牛'] },
  { id: 'penguin', en: ['penguin', 'penguins'], zh: ['企鹅'] },
  { id: 'deer', en: ['deer'], zh: ['鹿'] },
  { id: 'hedgehog', en: ['hedgehog', 'hedgehogs'], zh: ['刺猬'] },
];

const EN_ANIMAL = new Map(ANIMALS.flatMap((a) => a.en.map((w) => [w, a.id] as const)));
const ZH_ANIMAL = ANIMALS.flatMap((a) => a.zh.map((w) => [w, a.id] as const)).sort(
  (x, y) => y[0].length - x[0].length,
);

export const CJK = /[\u3400-\u9fff]/;
const CJK_GLOBAL = /[\u3400-\u9fff]/g;
export const EN_WORD = /[a-z0-9]+(?:'[a-z]+)?/g;

/** Whole-word, case-insensitive match for Latin words; substring match for Chinese. */
export function mentionsWord(text: string, word: string): boolean {
  const w = word.trim();
  if (w === '') throw new ArgumentError('word', 'is empty');
  if (CJK.test(w)) return text.includes(w);
  const escaped = w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'i').test(text);
}

/** Animal ids (e.g. 'cat') in order of first mention, each once; English and Chinese. */
export function detectAnimals(text: string): string[] {
  const found: { id: string; at: number }[] = [];
  for (const m of text.toLowerCase().matchAll(EN_WORD)) {
    const id = EN_ANIMAL.get(m[0]);
    if (id) found.push({ id, at: m.index });
  }
  const hasCjk = CJK.test(text);
  for (let i = 0; hasCjk && i < text.length;) {
    const hit = CJK.test(text[i]) ? ZH_ANIMAL.find(([w]) => text.startsWith(w, i)) : undefined;
    if (hit) {
      found.push({ id: hit[1], at: i });
      i += hit[0].length;
    } else i++;
  }
  found.sort((a, b) => a.at - b.at);
  return [...new Set(found.map((f) => f.id))];
}

/** True when the text quotes speech: "…" or “…” (or 「…」) around at least one letter. */
export function hasDialogue(text: string): boolean {
  return /"[^"\n]*[\p{L}][^"\n]*"|“[^”\n]*[\p{L}][^”\n]*”|「[^」\n]*[\p{L}][^」\n]*」/u.test(text);
}

/** Latin words plus Chinese characters (Chinese has no spaces; one character ≈ one word). */
export function wordCount(text: string): number {
  const latin = text.toLowerCase().match(EN_WORD)?.length ?? 0;
  const han = text.match(CJK_GLOBAL)?.length ?? 0;
  return latin + han;
}

/**
 * Splits at . ! ? (and 。！？), keeping closing quotes with their sentence. A Latin
 * terminator ends a sentence only before a capital, an opening quote, a line break or
 * the end, so `"Where is it?" asked Tom.` stays one sentence.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' && text[i + 1] === '\n') {
      out.push(text.slice(start, i));
      start = i + 1;
      continue;
    }
    const cjkStop = c === '。' || c === '！' || c === '？';
    if (!cjkStop && c !== '.' && c !== '!' && c !== '?') continue;
    let end = i + 1;
    while (end < text.length && /[.!?。！？"”’'」]/.test(text[end])) end++;
    const gap = /^\s*/.exec(text.slice(end))?.[0] ?? '';
    const after = text[end + gap.length];
    const boundary =
      cjkStop ||
      after === undefined ||
      gap.includes('\n') ||
      (gap.length > 0 && /[A-Z"“\d\u3400-\u9fff]/.test(after));
    if (boundary) {
      out.push(text.slice(start, end));
      start = end;
    }
    i = end - 1;
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

export function sentenceCount(text: string): number {
  return splitSentences(text).length;
}

/** The animal a prompt asks for: the one after "about"/"关于" if any, else the first named. */
export function requestedAnimal(prompt: string): string | undefined {
  const about = prompt.match(/about\s+(?:(?:a|an|the)\s+)?([^\s.,!?]+(?:\s+[^\s.,!?]+)?)/i);
  const zhAbout = prompt.match(/关于(.+?)的/);
  for (const phrase of [about?.[1], zhAbout?.[1]]) {
    const animal = phrase === undefined ? undefined : detectAnimals(phrase)[0];
    if (animal) return animal;
  }
  return detectAnimals(prompt)[0];
}
