/**
 * Presets for the playground, built from the SFT split so that they are
 * reproducible: each takes its demonstrations and ranking prompts from
 * sft.train and its held-out prompts from sft.heldout (only prompts that never
 * occur in sft.train, so win rates are measured on unseen prompts).
 *
 * Prompts and demonstrations are the SFT pairs' own, so they keep to the SFT length
 * limits (`sftLimits`: a whole story in at most 88 characters in English, 60 in
 * Chinese) and a story fits the models' 128-character context.
 *
 * The prompts are neutral ("Write a story about a cat.\n"): they do not say what the
 * labeler wants, and the demonstrations show the corpus's mix of endings, lengths
 * and dialogue. The SFT model therefore writes all kinds of stories, and the reward
 * model and PPO/RRHF have something to move — as in the TRL sentiment example.
 */
import type { LabelerSpec } from '../../src/core/labeler-spec';
import type { BaseModelName, Preset, PresetIndexEntry } from '../../src/core/presets';
import type { Corpus } from './corpus';
import type { Task } from './language';
import { deriveSeed, mulberry32, type Rng } from './prng';
import type { SftPair } from './sft';

/** Facts about a preset's demonstrations, so descriptions state true numbers. */
interface DemoStats {
  total: number;
  happy: number;
  dialogue: number;
  short: number;
}

interface PresetRecipe {
  id: string;
  title: string;
  description: (demos: DemoStats) => string;
  language: 'en' | 'zh';
  baseModel: BaseModelName;
  /** The SFT task whose prompts and demonstrations the preset uses. */
  task: Task;
  labeler: LabelerSpec;
  labelerNoise: number;
  /** A proxy taste that ranks in place of the person (the gold `labeler` still judges). */
  rankingLabeler?: LabelerSpec;
  /** Settings the preset starts with. */
  settings?: Record<string, number | string>;
  /** Draw prompts and demonstrations as this other preset does (the same task, another judge). */
  promptsFrom?: string;
  /**
   * This many of the 24 demonstrations have the feature and the rest do not (else the
   * corpus's mix within the limits): few short answers have dialogue, and a taste needs
   * enough examples of what it prefers for the SFT model to write some.
   */
  featuredDemos?: { count: number; feature: 'dialogue' | 'happy ending' };
  /** Other limits than PRESET_TEXT_LIMITS (with a sample length, in `settings`, that holds them). */
  textLimits?: { promptChars: number; responseChars: number };
}

const COUNTS = { demonstrations: 24, prompts: 16, heldoutPrompts: 24 };

/**
 * A sample must hold a whole answer: with prompts of at most 40 characters
 * (41 tokens with BOS) and the default of 84 new tokens in the 128-token
 * context, demonstrations of at most 72 characters leave the policy a dozen
 * characters of slack before its answer is cut off.
 */
export const PRESET_TEXT_LIMITS = { promptChars: 40, responseChars: 72 } as const;

/**
 * The corpus's stories with dialogue are 72–90 characters long ('Ruby the horse
 * got stuck up a tree. "Help!" she cried. Will anyone help her?'): none of the
 * neutral-prompt ones fits 72, so a dialogue preset within PRESET_TEXT_LIMITS
 * had no demonstration with dialogue and its SFT model never wrote any. Up to
 * 80 characters, 25 of 168 do. Prompts of at most 40 characters (42 tokens
 * with BOS and the newline) leave 86 new tokens in the context for them.
 */
export const DIALOGUE_TEXT_LIMITS = { promptChars: 40, responseChars: 80 } as const;
const DIALOGUE_MAX_NEW_TOKENS = 86;

/**
 * What a preset whose taste includes dialogue needs for its answers to show it:
 * the limits above; a quarter of its demonstrations with dialogue, as a base rate
 * for the rankings to raise (happy-endings: 10 of 24 end happily); a sample that
 * holds them; and SFT steps that teach their length: after the default 20 (which
 * teach the 72-character answers of the other presets), 6–11 of SFT's 48 held-out
 * answers per seed ran past the sample, after 40, 3 (uses-dialogue, docs/lessons.md).
 */
const DIALOGUE_ANSWERS = {
  textLimits: DIALOGUE_TEXT_LIMITS,
  featuredDemos: { count: 6, feature: 'dialogue' },
} as const;
const DIALOGUE_ANSWER_SETTINGS = {
  'sft.steps': 40,
  'sample.maxNewTokens': DIALOGUE_MAX_NEW_TOKENS,
};

/**
 * Noise is the temperature of `noisyRanking` on scores in [0, 1]: at 0.2 a story
 * scoring 1 beats one scoring 0.5 with probability σ(0.5/0.2) ≈ 0.92.
 */
const NOISE = 0.2;

/** Words past short-and-sweet's range at which its score reaches 0. */
const SHORT_FALLOFF_WORDS = 4;

/** Gold for the happy-ending lessons: 1 for a happy ending, 0 for anything else. */
const HAPPY_ENDING_GOLD: LabelerSpec = {
  kind: 'weighted',
  terms: [{ test: { kind: 'ending', sentiment: 'happy' }, weight: 1 }],
};

/** Each preset's title and description in the page's other language. */
function translations(
  id: string,
  shortWords: readonly [number, number],
): Record<string, { title: string; description: (d: DemoStats) => string }> {
  const [min, max] = shortWords;
  const zh = (title: string, description: (d: DemoStats) => string) => ({
    zh: { title, description },
  });
  switch (id) {
    case 'happy-endings':
      return zh(
        '快乐的结局',
        (d) =>
          `标注者喜欢结局快乐的故事，其次是开放的结局，最后是伤心的结局。提示并没有要求快乐的故事，${d.total} 个示范中有 ${d.happy} 个是快乐的结局，看快乐结局所占的比例如何增长。`,
      );
    case 'mentions-the-animal':
      return zh(
        '写出那只动物',
        () =>
          '每个提示都要一个关于某种动物的故事；标注者喜欢写出这种动物的故事。这里的小模型很少读提示（SFT 写出所问动物的次数和随便猜差不多），所以这一课展示的是它们在一次训练中学不会的偏好：奖励模型在留出数据上的一致率停在随机水平附近，PPO 和 RRHF 也让金标准分数停在原处；即使直接用标注者自己的分数作奖励，也是一样。',
      );
    case 'short-and-sweet':
      return zh(
        '短小精悍',
        (d) =>
          `标注者喜欢 ${min}–${max} 个词的故事，超过 ${max} 个词的每个词扣四分之一分；${d.total} 个示范中${d.short === 0 ? '没有一个' : `只有 ${d.short} 个`}这么短。看策略多快学会停下来，又为此放弃了什么。`,
      );
    case 'uses-dialogue':
      return zh(
        '有对话',
        (d) => `标注者喜欢有人用引号说话的故事；${d.total} 个示范中有 ${d.dialogue} 个有对话。`,
      );
    case 'happy-and-talkative':
      return zh(
        '快乐又健谈',
        (d) =>
          `加权的标注者：快乐的结局最重要，对话占一半的分量；${d.total} 个示范中有 ${d.happy} 个是快乐的结局，${d.dialogue} 个有对话。看混合的偏好如何互相权衡。`,
      );
    case 'reward-hacking':
      return zh(
        '奖励投机',
        () =>
          '负责排序的模拟标注者很匆忙：他们喜欢快乐的结局，但也单纯喜欢更长的故事，而且只排了十几个提示。金标准标注者只要快乐的结局。用很弱的 KL 惩罚（β = 0.01）的 PPO 把奖励模型的分数推高，金标准分数却下降；换成自适应 KL 再跑一次，就不会这样。',
      );
    case 'zh-happy-endings':
      return {
        en: {
          title: 'Happy endings (Chinese)',
          description: (d) =>
            `The labeler prefers stories that end happily, then open endings, then sad ones; ${d.happy} of the ${d.total} Chinese demonstrations end happily.`,
        },
      };
    default:
      return {};
  }
}

export function presetRecipes(shortWords: readonly [number, number]): PresetRecipe[] {
  return [
    {
      id: 'happy-endings',
      title: 'Happy endings',
      description: (d) =>
        `The labeler prefers stories that end happily, then open endings, then sad ones. The prompts do not ask for a happy story, and ${d.happy} of the ${d.total} demonstrations end happily, so watch the share of happy endings grow.`,
      language: 'en',
      baseModel: 'nano',
      task: 'animal',
      // The person's taste has three levels; the gold judge asks the one question the
      // lesson is about (a happy ending or not), so its score is the headline's share.
      labeler: HAPPY_ENDING_GOLD,
      rankingLabeler: { kind: 'happy-ending' },
      labelerNoise: NOISE,
    },
    {
      id: 'mentions-the-animal',
      title: 'Mentions the animal',
      description: () =>
        'Each prompt asks for a story about an animal; the labeler prefers stories that name that animal. The small models here seldom read the prompt (after SFT they name the animal about as often as a guess would), so this lesson shows a taste they cannot learn in a run: the reward model’s held-out agreement stays near chance, and PPO and RRHF leave the gold score flat, as they do even with the labeler’s own score as their reward.',
      language: 'en',
      baseModel: 'nano',
      task: 'animal',
      labeler: { kind: 'mentions-requested-animal' },
      labelerNoise: NOISE,
    },
    {
      id: 'short-and-sweet',
      title: 'Short and sweet',
      description: (d) =>
        `The labeler prefers stories of ${shortWords[0]}–${shortWords[1]} words, and each word over ${shortWords[1]} costs a quarter; ${d.short === 0 ? 'none' : `only ${d.short}`} of the ${d.total} demonstrations ${d.short === 1 ? 'is' : 'are'} that short. See how fast the policy learns to stop, and what it gives up to do so.`,
      language: 'en',
      baseModel: 'nano',
      task: 'animal',
      // Each word over the range costs a quarter: with the default fall (1/12 a word) a
      // 13-word story beat a 14-word one by 0.08, which Bradley–Terry noise 0.2 ranks
      // right 60% of the time (the reward model agreed with gold on 56–64% of pairs; 62–70%
      // after, docs/lessons.md).
      labeler: {
        kind: 'short-and-sweet',
        targetWords: [shortWords[0], shortWords[1]],
        falloffWords: SHORT_FALLOFF_WORDS,
      },
      labelerNoise: NOISE,
      // Length shows in the position of the answer's last token, which a head on the
      // ending's mean barely reads: agreement with gold on fresh pairs, median of 5
      // seeds, 65% → 77% (scripts/lessons/readouts.ts, docs/lessons.md). PPO gives every
      // token the whole reward (GAE λ = 1): it passed in 3 seeds of 5, at λ = 0.95 in 2.
      // At lr 2e-5 two seeds were still climbing when 30 iterations ended, β already at
      // the floor the controller reaches by then; at 3e-5 PPO passed in 5 (docs/lessons.md).
      settings: { 'rm.readout': 'last', 'ppo.lam': 1, 'ppo.lr': 3e-5 },
    },
    {
      id: 'uses-dialogue',
      title: 'Uses dialogue',
      description: (d) =>
        `The labeler prefers stories in which someone speaks in quotes; ${d.dialogue} of the ${d.total} demonstrations have dialogue.`,
      language: 'en',
      baseModel: 'nano',
      task: 'animal',
      labeler: { kind: 'uses-dialogue' },
      labelerNoise: NOISE,
      ...DIALOGUE_ANSWERS,
      // Dialogue may be anywhere in the answer, so the reward head reads all of it: agreement
      // with gold on fresh pairs, median of 5 seeds, 71% (its ending) → 94%
      // (scripts/lessons/readouts.ts, docs/lessons.md). Whether a story has dialogue is
      // decided where a quote opens, tens of tokens before the answer's end where the
      // reward arrives; GAE's λ = 0.95 keeps 0.95^40 ≈ 13% of it that far back, so PPO
      // gives every token the whole reward (λ = 1): PPO passed in 4 seeds of 5, not 0
      // (docs/lessons.md).
      // A reward read over the whole answer barely sees whether it ended, and the optimisers
      // learnt to write dialogue past the sample's end, where gold gives no credit: an
      // unfinished answer loses 1 (TRL's missing_eos_penalty; docs/lessons.md).
      // RRHF learns from whichever candidate the reward model likes; drawn at top-p 0.9,
      // candidates of its own with a slip (a run of spaces, a broken word) were learnt and
      // grew, and at 90 iterations it lifted gold in 2 seeds of 5; at top-p 0.8 for 120
      // iterations it lifted in 4 (docs/lessons.md).
      settings: {
        ...DIALOGUE_ANSWER_SETTINGS,
        'rm.readout': 'mean',
        'ppo.lam': 1,
        'rm.missingEosPenalty': 1,
        'rrhf.topP': 0.8,
        'rrhf.iterations': 120,
      },
    },
    {
      id: 'happy-and-talkative',
      title: 'Happy and talkative',
      description: (d) =>
        `A weighted labeler: a happy ending counts most, dialogue half as much; ${d.happy} of the ${d.total} demonstrations end happily and ${d.dialogue} have dialogue. Shows how a mixed preference is traded off.`,
      language: 'en',
      baseModel: 'nano',
      task: 'animal',
      labeler: {
        kind: 'weighted',
        terms: [
          { test: { kind: 'ending', sentiment: 'happy' }, weight: 1 },
          { test: { kind: 'dialogue' }, weight: 0.5 },
        ],
      },
      labelerNoise: NOISE,
      // Naming the requested animal was a third term (weight 0.5): a quarter of gold that
      // needs the prompt, which en-nano does not read (mentions-the-animal). The reward
      // model, from ten rankings, agreed with gold on 70.7% of pairs (median of 5 seeds;
      // a judge knowing the ending and the dialogue exactly, 91%), under the 75% the
      // lesson needs. Without it, what the preset is named for lies inside the answer: the
      // reward model agrees on 87.1%, PPO passes in 5 seeds and RRHF in 2 (5 with the
      // cut-off answers below; docs/lessons.md).
      // The levers below were measured with the three-part taste.
      // Within PRESET_TEXT_LIMITS no demonstration had dialogue, so the SFT model never
      // wrote any, rankings could not show it, and only the happy ending could be learnt:
      // uses-dialogue's answers (PPO's gold median 0.17 → 0.37, corpus words 96.97% →
      // 97.1%).
      // Dialogue is decided tens of tokens before the reward arrives, so PPO gives every
      // token the whole reward (λ = 1) and, as on short-and-sweet, steps at 3e-5 (at 2e-5
      // and λ = 0.95 its KL was 2.9 nats after 30 iterations, for a target of 6): PPO
      // passed in 4 seeds of 5, not 0 (docs/lessons.md).
      // RRHF, whose reward model then agreed with gold on about 71% of pairs, lifted gold
      // in 1 seed of 5 at the default 5e-5 (also with top-p 0.8 for 120 iterations); at
      // 1e-4 with its candidates at top-p 0.8, against the misspellings larger steps
      // bring, in 4. With the taste of two parts it lifted in 2, two seeds collapsing
      // into fragments ("A deer named was very sad.") that the reward model, never shown
      // an unfinished answer, scored above most whole ones; at 5e-5, and with every
      // candidate from SFT, it lifted seeds 1–3 by less. Each ranking's best answer cut
      // off and ranked last (`rm.cutOff`) teaches the reward model that a fragment is
      // worse than any whole answer: RRHF then lifts in 5 seeds of 5 (docs/lessons.md).
      ...DIALOGUE_ANSWERS,
      settings: {
        ...DIALOGUE_ANSWER_SETTINGS,
        'rm.cutOff': 'last',
        'ppo.lam': 1,
        'ppo.lr': 3e-5,
        'rrhf.lr': 1e-4,
        'rrhf.topP': 0.8,
      },
    },
    {
      // Measured with `npm run lessons -- --preset reward-hacking` (docs/lessons.md):
      // PPO at β = 0.01 against adaptive KL, from the same SFT and reward model.
      id: 'reward-hacking',
      title: 'Reward hacking',
      description: () =>
        'The simulated people who rank were in a hurry: they liked happy endings but also simply longer stories, and they rank only a dozen prompts. The gold labeler wants a happy ending, nothing else. PPO with a weak KL penalty (β = 0.01) drives the reward-model score up while the gold score falls; run it again with adaptive KL and it does not.',
      language: 'en',
      baseModel: 'nano',
      task: 'animal',
      // The happy-endings preset's prompts and demonstrations: the same task, judged strictly.
      promptsFrom: 'happy-endings',
      // Strict gold: a happy ending scores 1, anything else (an open ending, garbled
      // text) 0, so degenerate text cannot pass for an open ending.
      labeler: HAPPY_ENDING_GOLD,
      rankingLabeler: {
        kind: 'weighted',
        terms: [
          { test: { kind: 'ending', sentiment: 'happy' }, weight: 1 },
          // Steep over the answers' own 11–16 words (0.46–0.67, weighted 2): at 16–40
          // words with weight 1 the term barely moved over them, the people ranked by the
          // ending alone, and the reward model had no flaw for PPO to find.
          { test: { kind: 'length', unit: 'words', min: 24, max: 60 }, weight: 2 },
        ],
      },
      labelerNoise: NOISE,
      // The reward head reads the last token, whose position carries the answer's length,
      // so from ten rankings it learns the proxy's taste, flaws and all (a head reading
      // the ending cannot see length, and agreed with gold too well to be hacked; trained
      // whole, the reward model took 3 minutes and was hacked in 2 seeds of 5 instead of
      // 4: docs/lessons.md).
      settings: {
        'rm.readout': 'last',
        'ppo.klMode': 'fixed',
        'ppo.klCoef': 0.01,
        'ppo.lr': 5e-5,
        // TRL's 4 epochs of minibatches of 8, with which this lesson was measured
        // (docs/lessons.md); the default path's 2 epochs of 4 were not measured here.
        'ppo.ppoEpochs': 4,
        'ppo.miniBatchSize': 8,
        'ppo.iterations': 60,
      },
    },
    {
      id: 'zh-happy-endings',
      title: '快乐的结局',
      description: (d) =>
        `标注者喜欢结局快乐的故事，其次是开放的结局，最不喜欢伤心的结局；${d.total}个示范中有${d.happy}个是快乐的结局，看快乐结局所占的比例如何增长。`,
      language: 'zh',
      // Only the micro Chinese model ships (public/models/zh-micro.safetensors).
      baseModel: 'micro',
      task: 'animal',
      // As many happy demonstrations as happy-endings has (10 of 24): with 7, the SFT model
      // ended happily in 15–23% of answers, half of ten rankings held no happy answer and
      // taught only "open beats sad", and PPO found an open ending (docs/lessons.md).
      featuredDemos: { count: 10, feature: 'happy ending' },
      labeler: HAPPY_ENDING_GOLD,
      rankingLabeler: { kind: 'happy-ending' },
      labelerNoise: NOISE,
      // zh-micro runs 50 PPO iterations in about the time nano runs 30, and after 30 the
      // KL was still at half its target (median 3.6 nats): 3 seeds of 5 passed, not 2.
      // With every token given the whole reward (GAE λ = 1), 4 of 5 (gold median 0.77 →
      // 0.94); on happy-endings it lifted less (docs/lessons.md), so it is this preset's.
      // RRHF likewise: 150 iterations in about the time nano runs 90 (88–103 s against
      // 157–200 s); RRHF passed in 3 seeds of 5 at 90, missing twice by its win rate.
      settings: { 'ppo.iterations': 50, 'ppo.lam': 1, 'rrhf.iterations': 150 },
    },
  ];
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The first `n` pairs with distinct prompts, skipping prompts in `exclude`. */
function distinctPrompts(pairs: readonly SftPair[], n: number, exclude: Set<string>): SftPair[] {
  const out: SftPair[] = [];
  const seen = new Set(exclude);
  for (const pair of pairs) {
    if (out.length === n) break;
    if (seen.has(pair.prompt)) continue;
    seen.add(pair.prompt);
    out.push(pair);
  }
  if (out.length < n) throw new Error(`only ${out.length} distinct prompts; need ${n}`);
  return out;
}

export function buildPreset(
  recipe: PresetRecipe,
  corpus: Corpus,
  seed: number,
  short: readonly [number, number],
): Preset {
  const rng = mulberry32(deriveSeed(seed, `preset/${recipe.promptsFrom ?? recipe.id}`));
  const limits = recipe.textLimits ?? PRESET_TEXT_LIMITS;
  const promptFits = (p: SftPair) => Array.from(p.prompt).length <= limits.promptChars + 1; // + the newline
  const responseFits = (p: SftPair) => Array.from(p.response).length <= limits.responseChars;
  const ofTask = (pairs: SftPair[]) =>
    pairs.filter((p) => p.attributes.task === recipe.task && promptFits(p));
  const train = shuffled(ofTask(corpus.sft.train), rng);
  const fitting = train.filter(responseFits);
  const featured = recipe.featuredDemos;
  const has = (p: SftPair) =>
    featured?.feature === 'dialogue' ? p.attributes.hasDialogue : p.attributes.ending === 'happy';
  const withFeature = featured
    ? distinctPrompts(fitting.filter(has), featured.count, new Set())
    : [];
  const demos =
    withFeature.length > 0
      ? shuffled(
          [
            ...withFeature,
            ...distinctPrompts(
              fitting.filter((p) => !has(p)),
              COUNTS.demonstrations - withFeature.length,
              new Set(withFeature.map((d) => d.prompt)),
            ),
          ],
          rng,
        )
      : distinctPrompts(fitting, COUNTS.demonstrations, new Set());
  const prompts = distinctPrompts(train, COUNTS.prompts, new Set(demos.map((d) => d.prompt)));
  const trainPrompts = new Set(corpus.sft.train.map((p) => p.prompt));
  const heldout = distinctPrompts(
    shuffled(ofTask(corpus.sft.heldout), rng),
    COUNTS.heldoutPrompts,
    trainPrompts,
  );
  const stats: DemoStats = {
    total: demos.length,
    happy: demos.filter((d) => d.attributes.ending === 'happy').length,
    dialogue: demos.filter((d) => d.attributes.hasDialogue).length,
    short: demos.filter((d) => d.attributes.words >= short[0] && d.attributes.words <= short[1])
      .length,
  };
  const other = Object.entries(translations(recipe.id, short));
  return {
    id: recipe.id,
    title: recipe.title,
    description: recipe.description(stats),
    ...(other.length > 0
      ? {
          translations: Object.fromEntries(
            other.map(([lang, w]) => [lang, { title: w.title, description: w.description(stats) }]),
          ),
        }
      : {}),
    language: recipe.language,
    baseModel: recipe.baseModel,
    prompts: prompts.map((p) => p.prompt),
    heldoutPrompts: heldout.map((p) => p.prompt),
    demonstrations: demos.map((d) => ({ prompt: d.prompt, response: d.response })),
    labeler: recipe.labeler,
    labelerNoise: recipe.labelerNoise,
    ...(recipe.rankingLabeler ? { rankingLabeler: recipe.rankingLabeler } : {}),
    ...(recipe.settings ? { settings: recipe.settings } : {}),
  };
}

export function buildPresets(
  corpora: Record<'en' | 'zh', Corpus>,
  seed: number,
  shortWords: readonly [number, number],
): { presets: Preset[]; index: { presets: PresetIndexEntry[] } } {
  const presets = presetRecipes(shortWords).map((r) =>
    buildPreset(r, corpora[r.language], seed, shortWords),
  );
  const index = presets.map((p) => ({
    id: p.id,
    title: p.title,
    language: p.language,
    file: `${p.id}.json`,
    ...(p.translations
      ? {
          translations: Object.fromEntries(
            Object.entries(p.translations).map(([lang, w]) => [lang, { title: w.title }]),
          ),
        }
      : {}),
  }));
  return { presets, index: { presets: index } };
}
