// Demonstrations a person writes for supervised fine-tuning: checked before
// they are saved so that SFT never starts on an empty or absurd example, and
// the person sees what is wrong under the field rather than a failed run.
import type { Demonstration } from '../../core/presets';

export type { Demonstration };

export interface DemoCheck {
  /** Problems that block saving, by field. */
  prompt?: string;
  response?: string;
  /** Things worth knowing that do not block (e.g. the end will be cut off). */
  notes: string[];
}

/** Limits that depend on the model; the defaults are the shipped models'. */
export interface TextLimits {
  contextLength: number;
  /** The model's characters; unknown ones are read as UNK. Empty: not known yet. */
  vocabulary?: readonly string[];
}

export const DEFAULT_LIMITS: TextLimits = { contextLength: 128 };
/** Beyond this, a demonstration is certainly pasted by mistake. */
export const MAX_RESPONSE_CHARS = 2000;
/** Room a prompt must leave for at least a few response characters. */
export const MIN_RESPONSE_ROOM = 8;

/** Characters (code points) as the character-level tokenizer counts them. */
export const charCount = (s: string) => [...s].length;

/** Prompts end with a newline (the preset format: the answer starts on the next line). */
export function normalisePrompt(prompt: string): string {
  const t = prompt.replace(/\s+$/, '');
  return t === '' ? '' : `${t}\n`;
}

function longRun(s: string): string | null {
  const m = /(.)\1{19,}/u.exec(s);
  return m ? m[1] : null;
}

function unknownChars(s: string, vocabulary: readonly string[] | undefined): string[] {
  if (!vocabulary || vocabulary.length === 0) return [];
  const known = new Set(vocabulary);
  return [...new Set([...s].filter((c) => !known.has(c) && c !== '\n'))];
}

/** Tokens a prompt takes in the context (one per character, plus the start token). */
export const promptTokens = (prompt: string) => charCount(normalisePrompt(prompt)) + 1;

/** Checks one prompt on its own: not empty, and short enough to leave room for an answer. */
export function checkPrompt(
  prompt: string,
  limits: TextLimits = DEFAULT_LIMITS,
): string | undefined {
  const p = normalisePrompt(prompt);
  if (p === '') return 'Write a prompt.';
  const room = limits.contextLength - MIN_RESPONSE_ROOM;
  const n = promptTokens(p);
  if (n > room) {
    return `The prompt is ${n} tokens long, but the model sees only ${limits.contextLength}: keep it under ${room} so an answer fits.`;
  }
  return undefined;
}

export function checkDemonstration(
  d: Demonstration,
  limits: TextLimits = DEFAULT_LIMITS,
): DemoCheck {
  const out: DemoCheck = { notes: [] };
  out.prompt = checkPrompt(d.prompt, limits);
  const response = d.response.trim();
  if (response === '') out.response = 'Write the response you would like the model to give.';
  else if (charCount(response) > MAX_RESPONSE_CHARS) {
    out.response = `The response has ${charCount(response)} characters; keep it under ${MAX_RESPONSE_CHARS} (the model sees ${limits.contextLength} at a time).`;
  } else {
    const run = longRun(response);
    if (run !== null) {
      out.response = `The response repeats “${run === ' ' ? 'space' : run}” 20 times or more in a row; that teaches the model nothing useful.`;
    }
  }
  for (const [field, text] of [
    ['prompt', d.prompt],
    ['response', d.response],
  ] as const) {
    const unknown = unknownChars(text, limits.vocabulary);
    if (unknown.length > 0) {
      out.notes.push(
        `The ${field} uses characters the model has never seen (${unknown.join(' ')}); it reads them as “unknown”.`,
      );
    }
  }
  if (!out.prompt && !out.response) {
    const total = promptTokens(d.prompt) + charCount(response) + 1;
    if (total > limits.contextLength) {
      out.notes.push(
        `Prompt and response take ${total} tokens; the model trains on the first ${limits.contextLength}.`,
      );
    }
  }
  return out;
}

export const isValidDemo = (c: DemoCheck) => !c.prompt && !c.response;

/** The demonstration as it is stored and trained on. */
export function normaliseDemonstration(d: Demonstration): Demonstration {
  return { prompt: normalisePrompt(d.prompt), response: d.response.trim() };
}
