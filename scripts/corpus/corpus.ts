/**
 * Builds one language's corpus in memory: pretraining stories with their attribute
 * side files, SFT instruction pairs, the held-out splits and a manifest with the
 * sha256 of every file. Pure apart from hashing, so tests can build small corpora
 * and compare them with what is shipped.
 */
import { createHash } from 'node:crypto';
import { TASKS, type LanguagePack } from './language';
import { deriveSeed, mulberry32 } from './prng';
import { writeInstruction, type SftPair } from './sft';
import { drawCast, writeStory, type StoryAttributes } from './story';

/** One story in this many is held out (5%); one instruction pair in ten (10%). */
const STORY_HOLDOUT_EVERY = 20;
const SFT_HOLDOUT_EVERY = 10;

export interface CorpusOptions {
  seed: number;
  stories: number;
  instructions: number;
}

export interface StoryRecord extends StoryAttributes {
  id: string;
}

export interface Corpus {
  language: LanguagePack['code'];
  stories: { train: StoryRecord[]; heldout: StoryRecord[] };
  texts: { train: string[]; heldout: string[] };
  sft: { train: SftPair[]; heldout: SftPair[] };
  /** File name → contents, as written to public/corpus/<language>/. */
  files: Record<string, string>;
  manifest: CorpusManifest;
}

export interface CorpusManifest {
  language: string;
  /** The options that rebuild this corpus: `buildCorpus(pack, { seed, stories, instructions })`. */
  seed: number;
  stories: number;
  instructions: number;
  generator: string;
  counts: Record<string, number>;
  distinctChars: number;
  distinctSentenceShapes: number;
  files: Record<string, { bytes: number; sha256: string }>;
}

export const CORPUS_FILES = [
  'train.txt',
  'heldout.txt',
  'train.attrs.jsonl',
  'heldout.attrs.jsonl',
  'sft.train.jsonl',
  'sft.heldout.jsonl',
] as const;

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const jsonl = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r) + '\n').join('');
/** One story per paragraph: stories are separated by a blank line. */
const paragraphs = (texts: readonly string[]) => (texts.length ? texts.join('\n\n') + '\n' : '');

function split<T>(items: readonly T[], every: number): { train: T[]; heldout: T[] } {
  return {
    train: items.filter((_, i) => i % every !== every - 1),
    heldout: items.filter((_, i) => i % every === every - 1),
  };
}

export function buildCorpus(pack: LanguagePack, options: CorpusOptions): Corpus {
  const code = pack.code;
  const storyRng = mulberry32(deriveSeed(options.seed, `${code}/stories`));
  const texts: string[] = [];
  const records: StoryRecord[] = [];
  const shapes = new Set<string>();
  const seen = new Set<string>();
  // Duplicates are skipped so that no held-out story also sits in the training text.
  for (let tries = 0; texts.length < options.stories; tries++) {
    if (tries > options.stories * 10) throw new Error(`${code}: too many duplicate stories`);
    const story = writeStory(pack, drawCast(pack, storyRng), storyRng);
    if (seen.has(story.text)) continue;
    seen.add(story.text);
    story.shapes.forEach((s) => shapes.add(s));
    records.push({ id: `${code}-${String(records.length).padStart(6, '0')}`, ...story.attributes });
    texts.push(story.text);
  }

  const sftRng = mulberry32(deriveSeed(options.seed, `${code}/sft`));
  const pairs: SftPair[] = [];
  const seenPairs = new Set<string>();
  for (let tries = 0; pairs.length < options.instructions; tries++) {
    if (tries > options.instructions * 10) throw new Error(`${code}: too many duplicate pairs`);
    const id = `${code}-sft-${String(pairs.length).padStart(6, '0')}`;
    const pair = writeInstruction(pack, sftRng, TASKS[pairs.length % TASKS.length], id);
    const key = pair.prompt + pair.response;
    if (seenPairs.has(key)) continue;
    seenPairs.add(key);
    pairs.push(pair);
  }

  const stories = split(records, STORY_HOLDOUT_EVERY);
  const storyTexts = split(texts, STORY_HOLDOUT_EVERY);
  const sft = split(pairs, SFT_HOLDOUT_EVERY);
  const files: Record<(typeof CORPUS_FILES)[number], string> = {
    'train.txt': paragraphs(storyTexts.train),
    'heldout.txt': paragraphs(storyTexts.heldout),
    'train.attrs.jsonl': jsonl(stories.train),
    'heldout.attrs.jsonl': jsonl(stories.heldout),
    'sft.train.jsonl': jsonl(sft.train),
    'sft.heldout.jsonl': jsonl(sft.heldout),
  };
  const manifest: CorpusManifest = {
    language: code,
    seed: options.seed,
    stories: options.stories,
    instructions: options.instructions,
    generator: 'scripts/corpus/generate.ts',
    counts: {
      trainStories: stories.train.length,
      heldoutStories: stories.heldout.length,
      sftTrain: sft.train.length,
      sftHeldout: sft.heldout.length,
    },
    distinctChars: new Set(texts.join('\n\n') + pairs.map((p) => p.prompt + p.response).join(''))
      .size,
    distinctSentenceShapes: shapes.size,
    files: Object.fromEntries(
      CORPUS_FILES.map((name) => [
        name,
        { bytes: Buffer.byteLength(files[name], 'utf8'), sha256: sha256(files[name]) },
      ]),
    ),
  };
  return { language: code, stories, texts: storyTexts, sft, files, manifest };
}
