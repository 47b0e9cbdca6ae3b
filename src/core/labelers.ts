/**
 * Simulated labelers: rule-based judges of generated stories.
 *
 * A model's output has no side file, so every attribute is detected from the text
 * alone: which animals it names, whether it has dialogue, how long it is and how it
 * ends. The ending is judged from keyword lists over the last sentence (falling back
 * to earlier ones when the last carries no signal), in English and Chinese, with a
 * two-word negation window ("not sad", "不开心"). The rules are deliberately simple
 * and gameable: a labeler that can be fooled is what lets the playground show reward
 * hacking against a gold score.
 *
 * `noisyRanking` turns labeler scores into the ranking a person would type, with a
 * temperature for how unreliable that person is (Plackett–Luce, see below).
 */
import { ArgumentError, assertFiniteArray } from './errors';

export type EndingSentiment = 'happy' | 'sad' | 'open';

/** A yes/no-ish property of a text, scored in [0, 1]. */
export type AttributeTest =
  | { kind: 'mentions'; word: string }
  | { kind: 'ending'; sentiment: EndingSentiment }
  | { kind: 'length'; unit: 'words' | 'sentences'; min: number; max: number }
  | { kind: 'dialogue' }
  | { kind: 'requested-animal' };

/** Labeler configuration as plain JSON, so presets and URLs can carry it. */
export type LabelerSpec =
  | { kind: 'happy-ending' }
  | { kind: 'mentions-requested-animal' }
  | {
      kind: 'short-and-sweet';
      targetWords: [number, number];
      /** Words past the range at which the score reaches 0 (default: the range's max). */
      falloffWords?: number;
    }
  | { kind: 'uses-dialogue' }
  | { kind: 'weighted'; terms: { test: AttributeTest; weight: number }[] };

export interface Labeler {
  id: string;
  name: string;
  description: string;
  /** Score in [0, 1]; higher is preferred. `prompt` is what the text answers, if any. */
  score(text: string, prompt?: string): number;
}

// ---------------------------------------------------------------------------
// Lexicon

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

type Signal = 'happy' | 'sad' | 'open';

/** Lists written as 'a|b|c' so they stay readable; multi-word entries match word sequences. */
const list = (words: string): readonly string[] => words.split('|');

const EN_SIGNALS: Record<Signal, readonly string[]> = {
  happy: list(
    'happy|happily|happier|glad|smile|smiled|smiles|smiling|laugh|laughed|laughing|joy|' +
      'joyful|hug|hugged|cheer|cheered|proud|safe|fun|wonderful|delighted|best day|' +
      'best friends|loved|yay',
  ),
  sad: list(
    'sad|sadly|sadder|cry|cried|cries|crying|tears|lonely|unhappy|upset|miss|missed|misses|' +
      'sorry|heartbroken|scared|afraid|gone forever|never found|never came back',
  ),
  open: list(
    'maybe|perhaps|wonder|wonders|wondered|wondering|someday|tomorrow|who knows|' +
      'nobody knows|might',
  ),
};
const EN_NEGATORS = new Set(list('not|no|never|nobody|nothing|without'));

const ZH_SIGNALS: Record<Signal, readonly string[]> = {
  happy: list('开心|高兴|快乐|笑了|笑着|幸福|欢乐|放心|安心|好朋友|开开心心|高高兴兴|哈哈'),
  sad: list('难过|伤心|哭|孤单|失望|害怕|再也没有|找不到|不见了'),
  open: list('也许|可能|明天|不知道|会不会|能不能|怎么办|谁知道'),
};
// Longest first: 不再难过 ("no longer sad") must see 不再, not just 不.
const ZH_NEGATORS = list('不再|没有|不|没|别');

const CJK = /[\u3400-\u9fff]/;
const CJK_GLOBAL = /[\u3400-\u9fff]/g;
const EN_WORD = /[a-z0-9]+(?:'[a-z]+)?/g;

// ---------------------------------------------------------------------------
// Detectors

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

type SignalCounts = Record<Signal, number>;

function flip(signal: Signal): Signal {
  return signal === 'happy' ? 'sad' : signal === 'sad' ? 'happy' : 'open';
}

interface Keyword {
  signal: Signal;
  words: string[];
}

/** English keywords by first word, longest first, so a sentence is scanned once. */
const EN_KEYWORDS = new Map<string, Keyword[]>();
for (const signal of ['happy', 'sad', 'open'] as const) {
  for (const phrase of EN_SIGNALS[signal]) {
    const words = phrase.split(' ');
    const list = EN_KEYWORDS.get(words[0]) ?? [];
    list.push({ signal, words });
    list.sort((a, b) => b.words.length - a.words.length);
    EN_KEYWORDS.set(words[0], list);
  }
}

const ZH_KEYWORDS = (['happy', 'sad', 'open'] as const)
  .flatMap((signal) => ZH_SIGNALS[signal].map((word) => ({ signal, word })))
  .sort((a, b) => b.word.length - a.word.length);

function englishSignals(sentence: string, counts: SignalCounts): void {
  const words = sentence.toLowerCase().match(EN_WORD) ?? [];
  const negated = (i: number) =>
    [words[i - 1], words[i - 2]].some((w) => w && (EN_NEGATORS.has(w) || w.endsWith("n't")));
  for (let i = 0; i < words.length; i++) {
    const hit = EN_KEYWORDS.get(words[i])?.find((k) =>
      k.words.every((word, j) => words[i + j] === word),
    );
    if (!hit) continue;
    counts[negated(i) ? flip(hit.signal) : hit.signal]++;
    i += hit.words.length - 1;
  }
}

function chineseSignals(sentence: string, counts: SignalCounts): void {
  if (!CJK.test(sentence)) return;
  for (let i = 0; i < sentence.length;) {
    const hit = ZH_KEYWORDS.find((h) => sentence.startsWith(h.word, i));
    if (!hit) {
      i++;
      continue;
    }
    const before = sentence.slice(Math.max(0, i - 2), i);
    const negated = hit.signal !== 'open' && ZH_NEGATORS.some((n) => before.endsWith(n));
    counts[negated ? flip(hit.signal) : hit.signal]++;
    i += hit.word.length;
  }
}

function signalsOf(sentence: string): SignalCounts {
  const counts: SignalCounts = { happy: 0, sad: 0, open: 0 };
  englishSignals(sentence, counts);
  chineseSignals(sentence, counts);
  // An ending that asks a question leaves the story open.
  if (/[?？]["”’'」]*$/.test(sentence)) counts.open++;
  return counts;
}

/**
 * How the story ends: the signals of the last sentence decide; if it has none, the
 * one before it (up to three back). Happy or sad must outnumber the other two kinds;
 * ties and silence read as open.
 */
export function endingSentiment(text: string): EndingSentiment {
  const sentences = splitSentences(text);
  for (let k = sentences.length - 1; k >= Math.max(0, sentences.length - 3); k--) {
    const c = signalsOf(sentences[k]);
    if (c.happy + c.sad + c.open === 0) continue;
    if (c.happy > c.sad && c.happy > c.open) return 'happy';
    if (c.sad > c.happy && c.sad > c.open) return 'sad';
    return 'open';
  }
  return 'open';
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

// ---------------------------------------------------------------------------
// Labelers

const ENDING_SCORE: Record<EndingSentiment, number> = { happy: 1, open: 0.5, sad: 0 };

/** 1 inside [min, max]; falls off linearly to 0 at 0 below and at max + falloff above. */
function rangeScore(x: number, min: number, max: number, falloff = max): number {
  if (x >= min && x <= max) return 1;
  if (x < min) return min === 0 ? 1 : x / min;
  return Math.max(0, 1 - (x - max) / Math.max(falloff, 1));
}

/** 1 for the requested animal, 0.25 for some other animal (still an animal story), else 0. */
function requestedAnimalScore(text: string, prompt?: string): number {
  const animals = detectAnimals(text);
  const wanted = prompt === undefined ? undefined : requestedAnimal(prompt);
  if (wanted === undefined) return animals.length > 0 ? 1 : 0;
  if (animals.includes(wanted)) return 1;
  return animals.length > 0 ? 0.25 : 0;
}

export function scoreAttribute(test: AttributeTest, text: string, prompt?: string): number {
  switch (test.kind) {
    case 'mentions':
      return mentionsWord(text, test.word) ? 1 : 0;
    case 'ending':
      return endingSentiment(text) === test.sentiment ? 1 : 0;
    case 'length': {
      const n = test.unit === 'words' ? wordCount(text) : sentenceCount(text);
      return rangeScore(n, test.min, test.max);
    }
    case 'dialogue':
      return hasDialogue(text) ? 1 : 0;
    case 'requested-animal':
      return requestedAnimalScore(text, prompt);
  }
}

function describeTest(test: AttributeTest): string {
  switch (test.kind) {
    case 'mentions':
      return `mentions "${test.word}"`;
    case 'ending':
      return `ends ${{ happy: 'happily', sad: 'sadly', open: 'open' }[test.sentiment]}`;
    case 'length':
      return `is ${test.min}–${test.max} ${test.unit} long`;
    case 'dialogue':
      return 'has dialogue';
    case 'requested-animal':
      return 'mentions the requested animal';
  }
}

/**
 * True when the text ends as a story ends: its last character closes a
 * sentence (. ! ? 。！？, or a closing quote after one). A sample cut off by the
 * token budget stops mid-sentence, and a reader sees that it has no ending.
 */
export function isFinished(text: string): boolean {
  return /[.!?。！？…]["”’'」]*$/.test(text.trim());
}

/**
 * A labeler judges whole stories: text cut off before its ending gets no credit
 * (0), whatever its first sentences promised, as a person would judge it.
 */
export function makeLabeler(spec: LabelerSpec): Labeler {
  const judge = makeJudge(spec);
  return { ...judge, score: (text, prompt) => (isFinished(text) ? judge.score(text, prompt) : 0) };
}

function makeJudge(spec: LabelerSpec): Labeler {
  const checked = validateLabelerSpec(spec);
  switch (checked.kind) {
    case 'happy-ending':
      return {
        id: 'happy-ending',
        name: 'Happy ending',
        description: 'Prefers stories that end happily (1), then open endings (0.5), then sad (0).',
        score: (text) => ENDING_SCORE[endingSentiment(text)],
      };
    case 'mentions-requested-animal':
      return {
        id: 'mentions-requested-animal',
        name: 'Mentions the animal',
        description:
          'Prefers stories that name the animal the prompt asks for (1); another animal scores 0.25, none 0.',
        score: requestedAnimalScore,
      };
    case 'short-and-sweet': {
      const [min, max] = checked.targetWords;
      const falloff = checked.falloffWords ?? max;
      return {
        id: `short-and-sweet-${min}-${max}${checked.falloffWords ? `-${falloff}` : ''}`,
        name: 'Short and sweet',
        description: `Prefers stories of ${min}–${max} words (Chinese: characters); shorter ones score less, and each word over ${max} costs 1/${falloff}.`,
        score: (text) => rangeScore(wordCount(text), min, max, falloff),
      };
    }
    case 'uses-dialogue':
      return {
        id: 'uses-dialogue',
        name: 'Uses dialogue',
        description:
          'Prefers stories in which someone speaks in quotes (1) over those without (0).',
        score: (text) => (hasDialogue(text) ? 1 : 0),
      };
    case 'weighted':
      return weightedLabeler(checked.terms);
  }
}

/**
 * Σ wᵢ·tᵢ rescaled to [0, 1]: with P the sum of positive weights and N the sum of
 * |negative| ones, the raw sum lies in [−N, P], so (raw + N) / (P + N) is in [0, 1].
 */
function weightedLabeler(terms: { test: AttributeTest; weight: number }[]): Labeler {
  const positive = terms.reduce((s, t) => s + Math.max(0, t.weight), 0);
  const negative = terms.reduce((s, t) => s + Math.max(0, -t.weight), 0);
  const span = positive + negative;
  return {
    id: 'weighted',
    name: 'Weighted',
    description:
      'Weighted mix: ' + terms.map((t) => `${t.weight} × ${describeTest(t.test)}`).join(', '),
    score(text, prompt) {
      if (span === 0) return 0;
      const raw = terms.reduce((s, t) => s + t.weight * scoreAttribute(t.test, text, prompt), 0);
      return (raw + negative) / span;
    },
  };
}

// ---------------------------------------------------------------------------
// Validation of JSON specs (presets and URLs carry them)

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function finite(x: unknown, path: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new ArgumentError(path, `is ${JSON.stringify(x)}; expected a finite number`);
  }
  return x;
}

function oneOf<T extends string>(x: unknown, path: string, options: readonly T[]): T {
  if (typeof x !== 'string' || !(options as readonly string[]).includes(x)) {
    throw new ArgumentError(path, `is ${JSON.stringify(x)}; expected one of ${options.join(', ')}`);
  }
  return x as T;
}

function minMax(min: unknown, max: unknown, path: string): [number, number] {
  const lo = finite(min, `${path}.min`);
  const hi = finite(max, `${path}.max`);
  if (lo < 0 || hi < lo) throw new ArgumentError(path, `range [${lo}, ${hi}] is not 0 ≤ min ≤ max`);
  return [lo, hi];
}

const SENTIMENTS = ['happy', 'sad', 'open'] as const;

export function validateAttributeTest(value: unknown, path = 'test'): AttributeTest {
  if (!isRecord(value)) throw new ArgumentError(path, 'expected an object');
  const kind = oneOf(value.kind, `${path}.kind`, [
    'mentions',
    'ending',
    'length',
    'dialogue',
    'requested-animal',
  ] as const);
  switch (kind) {
    case 'mentions':
      if (typeof value.word !== 'string' || value.word.trim() === '') {
        throw new ArgumentError(`${path}.word`, 'expected a non-empty string');
      }
      return { kind, word: value.word };
    case 'ending':
      return { kind, sentiment: oneOf(value.sentiment, `${path}.sentiment`, SENTIMENTS) };
    case 'length': {
      const unit = oneOf(value.unit, `${path}.unit`, ['words', 'sentences'] as const);
      const [min, max] = minMax(value.min, value.max, path);
      return { kind, unit, min, max };
    }
    case 'dialogue':
    case 'requested-animal':
      return { kind };
  }
}

/** Checks untrusted JSON and returns it typed; throws an ArgumentError naming the field. */
export function validateLabelerSpec(value: unknown, path = 'labeler'): LabelerSpec {
  if (!isRecord(value)) throw new ArgumentError(path, 'expected an object');
  const kind = oneOf(value.kind, `${path}.kind`, [
    'happy-ending',
    'mentions-requested-animal',
    'short-and-sweet',
    'uses-dialogue',
    'weighted',
  ] as const);
  switch (kind) {
    case 'happy-ending':
    case 'mentions-requested-animal':
    case 'uses-dialogue':
      return { kind };
    case 'short-and-sweet': {
      const t = value.targetWords;
      if (!Array.isArray(t) || t.length !== 2) {
        throw new ArgumentError(`${path}.targetWords`, 'expected [min, max]');
      }
      const f = value.falloffWords;
      if (f !== undefined && (typeof f !== 'number' || !Number.isInteger(f) || f < 1 || f > 1000)) {
        throw new ArgumentError(
          `${path}.falloffWords`,
          `is ${JSON.stringify(f)}; expected an integer from 1 to 1000`,
        );
      }
      return {
        kind,
        targetWords: minMax(t[0], t[1], `${path}.targetWords`),
        ...(f !== undefined ? { falloffWords: f } : {}),
      };
    }
    case 'weighted': {
      if (!Array.isArray(value.terms) || value.terms.length === 0) {
        throw new ArgumentError(`${path}.terms`, 'expected a non-empty array');
      }
      const terms = value.terms.map((term: unknown, i) => {
        const at = `${path}.terms[${i}]`;
        if (!isRecord(term)) throw new ArgumentError(at, 'expected { test, weight }');
        return {
          test: validateAttributeTest(term.test, `${at}.test`),
          weight: finite(term.weight, `${at}.weight`),
        };
      });
      return { kind, terms };
    }
  }
}

// ---------------------------------------------------------------------------
// Noisy rankings

/**
 * A ranking as a noisy labeler would give it: `ranks[i]` is the place of item i,
 * 0 = best.
 *
 * temperature > 0: a Plackett–Luce sample with weights exp(score/temperature) — the
 * ranking generalisation of Bradley–Terry (P(i above j) = σ((sᵢ − sⱼ)/T)). Drawn with
 * the Gumbel-max trick: sorting sᵢ/T + Gumbel noise gives exactly a Plackett–Luce
 * permutation. Large temperatures approach a uniformly random order.
 *
 * temperature = 0: the deterministic order by score; equal scores share a place and
 * places stay consecutive (scores [1, 1, 0] → ranks [0, 0, 1]), as ties in the UI do.
 */
export function noisyRanking(scores: number[], temperature: number, rng: () => number): number[] {
  assertFiniteArray('scores', scores);
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw new ArgumentError(
      'temperature',
      `is ${String(temperature)}; expected a finite number ≥ 0`,
    );
  }
  if (temperature === 0) {
    const distinct = [...new Set(scores)].sort((a, b) => b - a);
    return scores.map((s) => distinct.indexOf(s));
  }
  const keys = scores.map((s) => {
    // rng() may return exactly 0; the Gumbel transform needs u in (0, 1).
    const u = Math.min(Math.max(rng(), Number.MIN_VALUE), 1 - Number.EPSILON);
    return s / temperature - Math.log(-Math.log(u));
  });
  const order = keys.map((_, i) => i).sort((a, b) => keys[b] - keys[a]);
  const ranks = new Array<number>(scores.length);
  order.forEach((item, place) => (ranks[item] = place));
  return ranks;
}
