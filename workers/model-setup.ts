// Building models from what the page sends (a config and a tokenizer, or a
// checkpoint) and turning its texts into token ids. Both workers validate
// their inputs here so a bad call gets an ArgumentError naming the argument.
import {
  ArgumentError,
  CharTokenizer,
  EOS_ID,
  MODEL_SIZES,
  createGPT,
  gptFromWeights,
  loadCheckpoint,
  parameterShapes,
  readWeights,
  type GPT,
  type GPTConfig,
  type ModelSize,
} from '../src/core';

export interface ModelRequest {
  /** Build the vocabulary from the distinct characters of this text... */
  text?: string;
  /** ...or take it as given (one code point each). */
  chars?: string[];
  /** A reference size; 'auto' follows the backend's speed. Default 'auto'. */
  size?: ModelSize | 'auto';
  /** Overrides of the size's config (e.g. a tiny model for tests). */
  config?: Partial<Omit<GPTConfig, 'vocabSize' | 'scalarHead'>>;
  seed?: number;
}

export interface ModelInfo {
  config: Required<GPTConfig>;
  parameters: number;
  vocabulary: string[];
  step: number;
  backend: string;
}

export function tokenizerFor(req: ModelRequest): CharTokenizer {
  if (req.chars) return new CharTokenizer(req.chars);
  if (typeof req.text === 'string') return CharTokenizer.fromText(req.text);
  throw new ArgumentError('model', 'needs `text` or `chars` for its vocabulary');
}

/** A fresh model with a scalar head (the value head of the policy, or the reward head). */
export function freshModel(req: ModelRequest, tokenizer: CharTokenizer, auto: ModelSize): GPT {
  const size = req.size === undefined || req.size === 'auto' ? auto : req.size;
  const base = MODEL_SIZES[size];
  if (!base)
    throw new ArgumentError('size', `is ${JSON.stringify(size)}; expected nano, micro or auto`);
  const config = { ...base, ...req.config, vocabSize: tokenizer.vocabSize, scalarHead: true };
  const seed = req.seed ?? 0;
  if (!Number.isInteger(seed)) throw new ArgumentError('seed', `is ${seed}; expected an integer`);
  return createGPT(config, seed);
}

/** Loads a checkpoint; a model without a scalar head gets one, initialised to zero. */
export async function modelFromCheckpoint(bytes: Uint8Array) {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError('checkpoint', 'must be a Uint8Array');
  const loaded = loadCheckpoint(bytes);
  if (loaded.config.scalarHead) return loaded;
  const weights = await readWeights(loaded.model);
  loaded.model.dispose();
  const config = { ...loaded.config, scalarHead: true };
  for (const [name, shape] of parameterShapes(config)) {
    if (!weights.has(name)) weights.set(name, new Float32Array(shape.reduce((a, b) => a * b, 1)));
  }
  return { ...loaded, config, model: gptFromWeights(config, weights) };
}

export function describeModel(
  model: GPT,
  tokenizer: CharTokenizer,
  step: number,
  backend: string,
): ModelInfo {
  return {
    config: model.config,
    parameters: model.parameterCount,
    vocabulary: [...tokenizer.chars],
    step,
    backend,
  };
}

export function checkPrompts(prompts: unknown): asserts prompts is string[] {
  if (!Array.isArray(prompts)) throw new ArgumentError('prompts', 'must be an array of strings');
  if (prompts.length === 0)
    throw new ArgumentError('prompts', 'is empty; give at least one prompt');
  prompts.forEach((p, i) => {
    if (typeof p !== 'string' || p.length === 0) {
      throw new ArgumentError(
        'prompts',
        `prompt ${i} is ${typeof p === 'string' ? 'empty' : typeof p}`,
      );
    }
  });
}

export interface EncodedPrompts {
  ids: number[][];
  /** Tokens dropped from the left of each prompt to fit `maxLen`. */
  truncated: number[];
  warnings: string[];
}

/** Encodes prompts, keeping the last `maxLen` tokens of each (the end matters most). */
export function encodePrompts(
  tokenizer: CharTokenizer,
  prompts: string[],
  maxLen: number,
): EncodedPrompts {
  checkPrompts(prompts);
  const warnings: string[] = [];
  const unknown = new Set<string>();
  const truncated: number[] = [];
  const ids = prompts.map((p, i) => {
    const r = tokenizer.encodeReport(p);
    r.unknownChars.forEach((c) => unknown.add(c));
    const cut = Math.max(0, r.ids.length - maxLen);
    truncated.push(cut);
    if (cut > 0) {
      warnings.push(
        `prompt ${i} has ${r.ids.length} tokens but ${maxLen} fit the context; dropped the first ${cut}`,
      );
    }
    return r.ids.slice(cut);
  });
  if (unknown.size > 0) {
    warnings.push(`characters unknown to the model (read as UNK): ${[...unknown].join('')}`);
  }
  return { ids, truncated, warnings };
}

/** Response ids as the reward model reads them: the text, then EOS (never empty). */
export function responseIds(tokenizer: CharTokenizer, text: string): number[] {
  return [...tokenizer.encode(text), EOS_ID];
}

export function checkK(k: unknown): number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 2 || k > 9) {
    throw new ArgumentError('k', `is ${String(k)}; expected an integer from 2 to 9`);
  }
  return k;
}
