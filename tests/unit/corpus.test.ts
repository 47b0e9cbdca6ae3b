import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildCorpus,
  CORPUS_FILES,
  sha256,
  type CorpusManifest,
} from '../../scripts/corpus/corpus';
import { ENGLISH } from '../../scripts/corpus/en/index';
import { PROBLEMS, type LanguagePack } from '../../scripts/corpus/language';
import { mulberry32 } from '../../scripts/corpus/prng';
import {
  PACKS,
  SHIPPED_OPTIONS,
  buildShipped,
  type ShippedBuild,
} from '../../scripts/corpus/shipped';
import { CONTEXT_CHARS, type SftPair } from '../../scripts/corpus/sft';
import { drawCast, MAX_STORY_CHARS, type StoryAttributes } from '../../scripts/corpus/story';
import { slotsOf } from '../../scripts/corpus/template';
import { CHINESE } from '../../scripts/corpus/zh/index';
import { makeLabeler } from '../../src/core/labelers';
import { endingSentiment } from '../../src/core/story-ending';
import {
  detectAnimals,
  hasDialogue,
  mentionsWord,
  sentenceCount,
  wordCount,
} from '../../src/core/text-attributes';
import { validatePreset, validatePresetIndex, type Preset } from '../../src/core/presets';

const LANGUAGES = ['en', 'zh'] as const;
/** Characters as the character-level tokenizer counts them: Unicode code points. */
const chars = (text: string) => Array.from(text).length;

/** Every SFT-style pair fits its language's limits and, with EOS, the 128-character context. */
function expectFits(pack: LanguagePack, prompt: string, response: string): void {
  const { prompt: maxPrompt, response: maxResponse } = pack.sftLimits;
  expect(chars(prompt), prompt).toBeLessThanOrEqual(maxPrompt);
  expect(chars(response), response).toBeLessThanOrEqual(maxResponse);
  expect(chars(response), response).toBeGreaterThan(0);
  expect(chars(prompt + response) + 1, prompt + response).toBeLessThanOrEqual(CONTEXT_CHARS);
  expect(response, response).not.toMatch(/\n/);
}
const publicFile = (path: string) =>
  readFileSync(new URL(`../../public/${path}`, import.meta.url), 'utf8');
const readJsonl = <T>(text: string): T[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);

interface ShippedFiles {
  manifest: CorpusManifest;
  files: Record<string, string>;
  stories: string[];
  attrs: (StoryAttributes & { id: string })[];
  sft: SftPair[];
  sftTrainPrompts: Set<string>;
}

const shipped = {} as Record<'en' | 'zh', ShippedFiles>;
beforeAll(() => {
  for (const lang of LANGUAGES) {
    const files = Object.fromEntries(
      CORPUS_FILES.map((name) => [name, publicFile(`corpus/${lang}/${name}`)]),
    );
    const paragraphs = (text: string) => text.slice(0, -1).split('\n\n');
    const sftTrain = readJsonl<SftPair>(files['sft.train.jsonl']);
    shipped[lang] = {
      manifest: JSON.parse(publicFile(`corpus/${lang}/manifest.json`)) as CorpusManifest,
      files,
      stories: [...paragraphs(files['train.txt']), ...paragraphs(files['heldout.txt'])],
      attrs: [
        ...readJsonl<StoryAttributes & { id: string }>(files['train.attrs.jsonl']),
        ...readJsonl<StoryAttributes & { id: string }>(files['heldout.attrs.jsonl']),
      ],
      sft: [...sftTrain, ...readJsonl<SftPair>(files['sft.heldout.jsonl'])],
      sftTrainPrompts: new Set(sftTrain.map((p) => p.prompt)),
    };
  }
});

describe('generator', () => {
  it.each([ENGLISH, CHINESE])('$code: the same seed gives identical files', (pack) => {
    const a = buildCorpus(pack, { seed: 7, stories: 300, instructions: 120 });
    const b = buildCorpus(pack, { seed: 7, stories: 300, instructions: 120 });
    const c = buildCorpus(pack, { seed: 8, stories: 300, instructions: 120 });
    expect(a.files).toEqual(b.files);
    expect(a.manifest).toEqual(b.manifest);
    for (const name of CORPUS_FILES) expect(c.files[name]).not.toBe(a.files[name]);
  });

  it.each([ENGLISH, CHINESE])('$code: splits 5% of stories and 10% of instructions', (pack) => {
    const corpus = buildCorpus(pack, { seed: 1, stories: 400, instructions: 200 });
    expect(corpus.stories.heldout).toHaveLength(20);
    expect(corpus.stories.train).toHaveLength(380);
    expect(corpus.sft.heldout).toHaveLength(20);
    expect(corpus.sft.train).toHaveLength(180);
  });

  it.each([ENGLISH, CHINESE])('$code: SFT pairs fit the limits for any seed', (pack) => {
    for (const seed of [3, 4]) {
      const corpus = buildCorpus(pack, { seed, stories: 20, instructions: 300 });
      for (const { prompt, response, attributes } of [...corpus.sft.train, ...corpus.sft.heldout]) {
        expectFits(pack, prompt, response);
        expect(attributes.chars).toBe(chars(response));
        expect(attributes.words).toBe(wordCount(response));
        expect(attributes.sentences).toBe(sentenceCount(response));
        expect(attributes.sentences).toBeGreaterThanOrEqual(2);
        expect(attributes.sentences).toBeLessThanOrEqual(4);
      }
    }
  });

  it.each([ENGLISH, CHINESE])('$code: SFT limits fit what the models read and write', (pack) => {
    // 128 characters of context; ~90 new characters when ranking and under PPO.
    const { prompt, response } = pack.sftLimits;
    expect(response).toBeLessThanOrEqual(pack.code === 'en' ? 88 : 60);
    expect(prompt).toBeLessThanOrEqual(pack.code === 'en' ? 45 : 25);
  });

  it.each([ENGLISH, CHINESE])('$code: every SFT template is one finished sentence', (pack) => {
    const cast = drawCast(pack, mulberry32(1));
    for (const problem of PROBLEMS) {
      const t = pack.mini[problem];
      const parts = {
        start: t.start,
        middle: t.middle,
        say: t.say,
        ending: Object.values(t.ending).flat(),
      };
      for (const [part, templates] of Object.entries(parts)) {
        expect(templates.length, `${problem}.${part}`).toBeGreaterThanOrEqual(2);
        for (const template of templates) {
          expect(template, template).toMatch(/[.!?"。！？”]$/);
          expect(template.indexOf('~'), template).toBeLessThan(1);
          // Only lines of speech hold quotes.
          expect(/["“”]/.test(template), template).toBe(part === 'say');
          for (const slot of slotsOf(template)) {
            if (slot !== 'friend') expect(() => pack.fill(slot, cast), slot).not.toThrow();
          }
        }
      }
      for (const ending of ['happy', 'sad', 'open'] as const) {
        expect(t.ending[ending].length, `${problem}.${ending}`).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it.each([ENGLISH, CHINESE])('$code: every template is one finished sentence', (pack) => {
    const t = pack.templates;
    const all = [
      ...t.intro,
      ...t.setting,
      ...t.feeling,
      ...Object.values(t.closing).flat(),
      ...PROBLEMS.flatMap((p) => {
        const x = t.problems[p];
        return [
          ...x.introProblem,
          ...x.problem,
          ...x.attempt,
          ...x.dialogue,
          ...Object.values(x.ending).flat(),
        ];
      }),
    ];
    const cast = drawCast(pack, mulberry32(1));
    for (const template of all) {
      expect(template, template).toMatch(/[.!?"。！？”]$/);
      expect(template.indexOf('~'), template).toBeLessThan(1);
      for (const slot of slotsOf(template)) {
        if (slot !== 'friend') expect(() => pack.fill(slot, cast), slot).not.toThrow();
      }
    }
  });

  it.each([ENGLISH, CHINESE])(
    '$code: every prompt is one instruction line',
    (pack: LanguagePack) => {
      for (const template of Object.values(pack.prompts).flat()) {
        expect(template.endsWith('\n')).toBe(true);
        expect(template.slice(0, -1)).not.toMatch(/\n/);
      }
    },
  );
});

describe.each(LANGUAGES)('shipped %s corpus', (lang) => {
  it('matches manifest.json byte counts and sha256', () => {
    const { manifest, files } = shipped[lang];
    expect(Object.keys(manifest.files).sort()).toEqual([...CORPUS_FILES].sort());
    for (const name of CORPUS_FILES) {
      expect(Buffer.byteLength(files[name], 'utf8'), name).toBe(manifest.files[name].bytes);
      expect(sha256(files[name]), name).toBe(manifest.files[name].sha256);
    }
  });

  it('has one story per paragraph, each with a side-file line', () => {
    const { stories, attrs, manifest, files } = shipped[lang];
    expect(files['train.txt'].endsWith('\n')).toBe(true);
    expect(files['train.txt']).not.toMatch(/\n\n\n/);
    expect(stories).toHaveLength(attrs.length);
    expect(stories).toHaveLength(manifest.counts.trainStories + manifest.counts.heldoutStories);
    expect(manifest.counts.heldoutStories / stories.length).toBeCloseTo(0.05, 2);
    stories.forEach((story, i) => {
      expect(story).not.toMatch(/\n/);
      expect(story.length).toBe(attrs[i].chars);
      expect(story.length).toBeLessThanOrEqual(MAX_STORY_CHARS);
    });
  });

  it('has side-file attributes that agree with the text', () => {
    const { stories, attrs } = shipped[lang];
    let endingsAgree = 0;
    stories.forEach((story, i) => {
      const a = attrs[i];
      if (endingSentiment(story) === a.ending) endingsAgree++;
      const animals = detectAnimals(story);
      expect(animals, story).toContain(a.animal);
      // The only animals are the hero's and the friend's.
      for (const x of animals) expect([a.animal, a.friendAnimal], story).toContain(x);
      expect(mentionsWord(story, a.name), story).toBe(true);
      expect(hasDialogue(story), story).toBe(a.hasDialogue);
      expect(sentenceCount(story), story).toBe(a.sentences);
      expect(a.sentences).toBeGreaterThanOrEqual(2);
      expect(a.sentences).toBeLessThanOrEqual(8);
    });
    expect(endingsAgree / stories.length).toBeGreaterThanOrEqual(0.95);
  });

  it('has a mix of endings, problems, animals and dialogue', () => {
    const { attrs } = shipped[lang];
    const share = (f: (a: StoryAttributes) => boolean) => attrs.filter(f).length / attrs.length;
    expect(share((a) => a.ending === 'happy')).toBeGreaterThan(0.4);
    expect(share((a) => a.ending === 'sad')).toBeGreaterThan(0.15);
    expect(share((a) => a.ending === 'open')).toBeGreaterThan(0.15);
    expect(share((a) => a.hasDialogue)).toBeGreaterThan(0.2);
    expect(new Set(attrs.map((a) => a.problem)).size).toBe(PROBLEMS.length);
    expect(new Set(attrs.map((a) => a.animal)).size).toBeGreaterThanOrEqual(12);
    expect(new Set(attrs.map((a) => a.name)).size).toBeGreaterThanOrEqual(24);
  });

  it('keeps held-out stories out of the training text', () => {
    const { files } = shipped[lang];
    const train = new Set(files['train.txt'].split('\n\n'));
    for (const story of files['heldout.txt'].slice(0, -1).split('\n\n')) {
      expect(train.has(story)).toBe(false);
    }
  });

  it('keeps to a small character set', () => {
    const { manifest, files } = shipped[lang];
    const text = files['train.txt'] + files['heldout.txt'];
    const chars = new Set(text);
    if (lang === 'en') {
      expect(chars.size).toBeLessThan(80);
      expect([...chars].every((c) => /[A-Za-z0-9 .,!?'"\n]/.test(c))).toBe(true);
    } else {
      expect(chars.size).toBeLessThan(600);
    }
    expect(manifest.distinctChars).toBeGreaterThanOrEqual(chars.size);
  });

  it('has SFT pairs that fit the context, in the pretraining alphabet', () => {
    const { sft, files } = shipped[lang];
    const pack = PACKS[lang];
    const alphabet = new Set(files['train.txt']);
    for (const { prompt, response, attributes } of sft) {
      expectFits(pack, prompt, response);
      expect(attributes.chars).toBe(chars(response));
      // No character the pretrained models have not seen (no UNK in demonstrations).
      for (const c of response) expect(alphabet.has(c), `${c} in ${response}`).toBe(true);
    }
    const lengths = sft.map((p) => chars(p.response));
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    // Whole stories, not fragments: most use a good part of the room.
    expect(mean).toBeGreaterThan(pack.sftLimits.response * 0.5);
    // Varied: almost every response is different, with many prompts.
    expect(new Set(sft.map((p) => p.response)).size).toBeGreaterThan(sft.length * 0.95);
    expect(new Set(sft.map((p) => p.attributes.name)).size).toBeGreaterThanOrEqual(24);
    expect(new Set(sft.map((p) => p.attributes.animal)).size).toBeGreaterThanOrEqual(20);
    expect(new Set(sft.map((p) => p.attributes.problem)).size).toBe(PROBLEMS.length);
  });

  it('aims the short-and-sweet range below the usual story length', () => {
    const { sft } = shipped[lang];
    const [lo, hi] = PACKS[lang].shortWords;
    const words = sft
      .filter((p) => p.attributes.task !== 'short')
      .map((p) => wordCount(p.response))
      .sort((a, b) => a - b);
    const median = words[Math.floor(words.length / 2)];
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeLessThan(median);
    // Yet reachable: a two-sentence story can be that short.
    expect(sft.some((p) => p.attributes.task !== 'short' && wordCount(p.response) <= hi)).toBe(
      true,
    );
  });

  it('has SFT responses that do what their prompts ask', () => {
    const { sft } = shipped[lang];
    const pack = PACKS[lang];
    const animal = makeLabeler({ kind: 'mentions-requested-animal' });
    const short = makeLabeler({
      kind: 'short-and-sweet',
      targetWords: [pack.shortWords[0], pack.shortWords[1]],
    });
    const dialogue = makeLabeler({ kind: 'uses-dialogue' });
    for (const { prompt, response, attributes } of sft) {
      expect(prompt.endsWith('\n')).toBe(true);
      expect(animal.score(response, prompt), prompt + response).toBe(1);
      if (prompt.includes(attributes.name))
        expect(mentionsWord(response, attributes.name)).toBe(true);
      switch (attributes.task) {
        case 'happy':
        case 'sad':
        case 'open':
          expect(endingSentiment(response), prompt + response).toBe(attributes.task);
          break;
        case 'dialogue':
          expect(dialogue.score(response), response).toBe(1);
          break;
        case 'short':
          expect(short.score(response), response).toBe(1);
          break;
        case 'animal':
          break;
      }
    }
    expect(new Set(sft.map((p) => p.attributes.task)).size).toBe(6);
  });
});

describe('shipped build', () => {
  let rebuilt: ShippedBuild;
  beforeAll(() => {
    // Rebuild from the options recorded in the manifests: the shipped files must be
    // exactly what the generator makes (and the manifests must say how to make them).
    const options = Object.fromEntries(
      LANGUAGES.map((lang) => {
        const { seed, stories, instructions } = shipped[lang].manifest;
        return [lang, { seed, stories, instructions }];
      }),
    ) as typeof SHIPPED_OPTIONS;
    expect(options).toEqual(SHIPPED_OPTIONS);
    rebuilt = buildShipped(options);
  });

  it.each(LANGUAGES)('regenerates the %s corpus byte for byte', (lang) => {
    expect(rebuilt.corpora[lang].manifest).toEqual(shipped[lang].manifest);
  });

  it('regenerates the presets', () => {
    const index = JSON.parse(publicFile('presets/index.json')) as unknown;
    expect(index).toEqual(rebuilt.index);
    for (const preset of rebuilt.presets) {
      expect(JSON.parse(publicFile(`presets/${preset.id}.json`))).toEqual(preset);
    }
  });
});

describe('presets', () => {
  const index = validatePresetIndex(JSON.parse(publicFile('presets/index.json')));
  const presets: Preset[] = index.map((entry) =>
    validatePreset(JSON.parse(publicFile(`presets/${entry.file}`))),
  );

  it('validate, with the suggested tasks in both languages', () => {
    expect(presets.length).toBeGreaterThanOrEqual(5);
    expect(presets.filter((p) => p.language === 'en').length).toBeGreaterThanOrEqual(4);
    expect(presets.filter((p) => p.language === 'zh').length).toBeGreaterThanOrEqual(1);
    const ids = presets.map((p) => p.id);
    for (const id of [
      'happy-endings',
      'mentions-the-animal',
      'short-and-sweet',
      'uses-dialogue',
      'zh-happy-endings',
    ]) {
      expect(ids).toContain(id);
    }
    index.forEach((entry, i) => expect(presets[i].id).toBe(entry.id));
  });

  it('carry their title and description in the other page language', () => {
    for (const [i, p] of presets.entries()) {
      const other = p.language === 'en' ? 'zh' : 'en';
      const words = p.translations?.[other];
      expect(words?.title, p.id).toBeTruthy();
      expect(words?.description, p.id).toBeTruthy();
      expect(index[i].translations?.[other]?.title).toBe(words?.title);
      const script = other === 'zh' ? /[\u4e00-\u9fff]/ : /^[\x20-\x7e–×β≥]+$/;
      expect(`${words?.title}${words?.description}`, p.id).toMatch(script);
    }
    // English in a Chinese preset's own words is a mix-up the page would show in zh.
    for (const p of presets.filter((x) => x.language === 'zh')) {
      expect(p.description, p.id).not.toMatch(/[A-Za-z]{3,}/);
    }
  });

  it('refuse translations that are not page languages or not text', () => {
    const base = JSON.parse(publicFile('presets/happy-endings.json')) as Record<string, unknown>;
    expect(() => validatePreset({ ...base, translations: { fr: { title: 'x' } } })).toThrow(
      /preset\.translations key/,
    );
    expect(() => validatePreset({ ...base, translations: { zh: { title: '' } } })).toThrow(
      /preset\.translations\.zh\.title/,
    );
    expect(() => validatePreset({ ...base, translations: { zh: { blurb: 'x' } } })).toThrow(
      /preset\.translations\.zh key/,
    );
  });

  it('take demonstrations from sft.train and held-out prompts from unseen ones', () => {
    for (const preset of presets) {
      const corpus = shipped[preset.language];
      const pairs = new Set(corpus.sft.map((p) => p.prompt + '\u0000' + p.response));
      for (const d of preset.demonstrations) {
        expect(pairs.has(d.prompt + '\u0000' + d.response)).toBe(true);
        expect(corpus.sftTrainPrompts.has(d.prompt)).toBe(true);
      }
      for (const prompt of preset.heldoutPrompts) {
        expect(corpus.sftTrainPrompts.has(prompt), prompt).toBe(false);
      }
      for (const prompt of preset.prompts) expect(preset.heldoutPrompts).not.toContain(prompt);
      // The labeler spec builds, and scores its own demonstrations in [0, 1].
      const labeler = makeLabeler(preset.labeler);
      for (const d of preset.demonstrations) {
        const s = labeler.score(d.response, d.prompt);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }
    }
  });

  it('keep prompts and demonstrations within the SFT limits', () => {
    for (const preset of presets) {
      const pack = PACKS[preset.language];
      expect(preset.prompts.length).toBeGreaterThanOrEqual(12);
      expect(preset.heldoutPrompts.length).toBeGreaterThanOrEqual(8);
      expect(preset.demonstrations.length).toBeGreaterThanOrEqual(16);
      for (const d of preset.demonstrations) expectFits(pack, d.prompt, d.response);
      for (const prompt of [...preset.prompts, ...preset.heldoutPrompts]) {
        expect(chars(prompt), prompt).toBeLessThanOrEqual(pack.sftLimits.prompt);
      }
      if (preset.labeler.kind === 'short-and-sweet') {
        expect(preset.labeler.targetWords).toEqual([...pack.shortWords]);
      }
    }
  });

  it('validatePreset names the bad field', () => {
    const good = presets[0];
    const bad = (patch: Record<string, unknown>) => () => validatePreset({ ...good, ...patch });
    expect(validatePreset(structuredClone(good))).toEqual(good);
    expect(() => validatePreset(null)).toThrow(/^preset: /);
    expect(bad({ id: 'Has Spaces' })).toThrow(/^preset\.id: /);
    expect(bad({ language: 'fr' })).toThrow(/^preset\.language: /);
    expect(bad({ baseModel: 'giant' })).toThrow(/^preset\.baseModel: /);
    expect(bad({ prompts: good.prompts.slice(0, 3) })).toThrow(/^preset\.prompts: has 3 entries/);
    expect(bad({ prompts: ['no newline', ...good.prompts] })).toThrow(
      /^preset\.prompts\[0\]: must end with a newline/,
    );
    expect(bad({ heldoutPrompts: 'x' })).toThrow(/^preset\.heldoutPrompts: expected an array/);
    expect(
      bad({ demonstrations: [{ prompt: 'Hi.\n', response: '' }, ...good.demonstrations] }),
    ).toThrow(/^preset\.demonstrations\[0\]\.response: /);
    expect(bad({ labeler: { kind: 'mystery' } })).toThrow(/^preset\.labeler\.kind: /);
    expect(bad({ labelerNoise: -1 })).toThrow(/^preset\.labelerNoise: /);
    expect(() =>
      validatePresetIndex({ presets: [{ id: 'a', title: 'A', language: 'en' }] }),
    ).toThrow(/^index\.presets\[0\]\.file: /);
  });
});
