/**
 * How a story ends, judged from its text: keyword lists over the last sentence
 * (falling back to earlier ones when the last carries no signal), in English
 * and Chinese, with a two-word negation window ("not sad", "不开心"); and
 * whether it ends at all or was cut off mid-sentence. The rules are
 * deliberately simple and gameable: a labeler that can be fooled is what lets
 * the playground show reward hacking against a gold score.
 */
import { CJK, EN_WORD, splitSentences } from './text-attributes';

export type EndingSentiment = 'happy' | 'sad' | 'open';

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

/**
 * True when the text ends as a story ends: its last character closes a
 * sentence (. ! ? 。！？, or a closing quote after one). A sample cut off by the
 * token budget stops mid-sentence, and a reader sees that it has no ending.
 */
export function isFinished(text: string): boolean {
  return /[.!?。！？…]["”’'」]*$/.test(text.trim());
}
