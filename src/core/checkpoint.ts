/**
 * One checkpoint format everywhere (DESIGN.md): safetensors. Layout:
 *   8 bytes  little-endian u64 N, the header's length
 *   N bytes  JSON header: { "__metadata__": { ...strings }, name: { dtype, shape, data_offsets } }
 *   rest     little-endian float32 data
 * The metadata carries the model config, the tokenizer and the training step
 * as JSON strings (safetensors metadata values must be strings). Tensor names
 * and layouts follow nanoGPT, with linear weights stored (out, in) as in
 * PyTorch, so `safetensors.torch.load_file` reads a checkpoint directly.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from './errors';
import { GPT, gptFromWeights } from './model/gpt';
import { parameterShapes } from './model/params';
import { validateConfig, type GPTConfig } from './model/config';
import { CharTokenizer, type TokenizerJSON } from './tokenizer';

export const CHECKPOINT_FORMAT = 'rlhf-playground/gpt-v1';

export interface CheckpointMeta {
  step: number;
  /** Anything else worth keeping (training settings, the preset, ...), JSON-serialisable. */
  extra?: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  model: GPT;
  tokenizer: CharTokenizer;
  config: Required<GPTConfig>;
  meta: CheckpointMeta;
}

interface TensorEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Linear weights: stored (in, out) in tfjs, (out, in) in the file. */
function isLinearWeight(name: string): boolean {
  return /(c_attn|c_proj|c_fc)\.weight$|^lm_head\.weight$|^score\.weight$/.test(name);
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** Serialises a model, its tokenizer and metadata. Reads weights with `await data()`. */
export async function saveCheckpoint(
  model: GPT,
  tokenizer: CharTokenizer,
  meta: CheckpointMeta,
): Promise<Uint8Array> {
  if (tokenizer.vocabSize !== model.config.vocabSize) {
    throw new ArgumentError(
      'tokenizer',
      `has ${tokenizer.vocabSize} ids but the model's vocabulary is ${model.config.vocabSize}`,
    );
  }
  const header: Record<string, unknown> = {
    __metadata__: {
      format: CHECKPOINT_FORMAT,
      config: JSON.stringify(model.config),
      tokenizer: JSON.stringify(tokenizer.toJSON()),
      step: String(meta.step),
      extra: JSON.stringify(meta.extra ?? {}),
    },
  };
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [name, variable] of model.named) {
    let data = (await variable.data()) as Float32Array;
    let shape = variable.shape as number[];
    if (isLinearWeight(name)) {
      const [rows, cols] = shape;
      data = transpose2d(data, rows, cols);
      shape = [cols, rows];
    }
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.length * 4] };
    offset += data.length * 4;
    chunks.push(data);
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const data of chunks) {
    for (let i = 0; i < data.length; i++, pos += 4) view.setFloat32(pos, data[i], true);
  }
  return out;
}

/** Parses the header of a safetensors file; throws a clear message on anything malformed. */
export function readSafetensorsHeader(bytes: Uint8Array): {
  header: Record<string, TensorEntry>;
  metadata: Record<string, string>;
  dataStart: number;
} {
  if (bytes.length < 8) throw new ArgumentError('checkpoint', 'is shorter than 8 bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n <= 0 || 8 + n > bytes.length) {
    throw new ArgumentError(
      'checkpoint',
      `declares a ${n}-byte header but the file has ${bytes.length} bytes`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw new ArgumentError('checkpoint', 'header is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null)
    throw new ArgumentError('checkpoint', 'header is not an object');
  const { __metadata__: metadata = {}, ...header } = parsed as Record<string, unknown>;
  const dataLength = bytes.length - 8 - n;
  for (const [name, entry] of Object.entries(header)) {
    const e = entry as TensorEntry;
    const ok =
      e && Array.isArray(e.shape) && Array.isArray(e.data_offsets) && e.data_offsets.length === 2;
    if (!ok) throw new ArgumentError('checkpoint', `tensor ${name} has a malformed entry`);
    if (e.dtype !== 'F32')
      throw new ArgumentError('checkpoint', `tensor ${name} is ${e.dtype}; only F32 is supported`);
    const [a, b] = e.data_offsets;
    const count = e.shape.reduce((x, y) => x * y, 1);
    if (!(a >= 0 && b <= dataLength && b - a === count * 4)) {
      throw new ArgumentError(
        'checkpoint',
        `tensor ${name} has data offsets [${a}, ${b}] that do not fit`,
      );
    }
  }
  return {
    header: header as Record<string, TensorEntry>,
    metadata: metadata as Record<string, string>,
    dataStart: 8 + n,
  };
}

export interface LoadOptions {
  /**
   * Give the model a scalar head (value head for PPO, reward head for the RM)
   * or drop it. A head the file lacks starts at zero: every score is 0 and
   * the trunk's features are untouched until training moves it.
   */
  scalarHead?: boolean;
}

/** Reads a checkpoint written by `saveCheckpoint` (or any safetensors file with our metadata). */
export function loadCheckpoint(bytes: Uint8Array, opts: LoadOptions = {}): LoadedCheckpoint {
  const { header, metadata, dataStart } = readSafetensorsHeader(bytes);
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new ArgumentError(
      'checkpoint',
      `is not a ${CHECKPOINT_FORMAT} checkpoint (format: ${metadata.format})`,
    );
  }
  let config: Required<GPTConfig>;
  let tokenizer: CharTokenizer;
  let extra: Record<string, unknown>;
  try {
    config = validateConfig(JSON.parse(metadata.config) as GPTConfig);
    tokenizer = CharTokenizer.fromJSON(JSON.parse(metadata.tokenizer) as TokenizerJSON);
    extra = JSON.parse(metadata.extra ?? '{}') as Record<string, unknown>;
  } catch (e) {
    throw new ArgumentError('checkpoint', `metadata is malformed: ${(e as Error).message}`);
  }
  const fileHasHead = 'score.weight' in header;
  if (opts.scalarHead !== undefined) config = { ...config, scalarHead: opts.scalarHead };
  if (tokenizer.vocabSize !== config.vocabSize) {
    throw new ArgumentError('checkpoint', 'tokenizer and config disagree on the vocabulary size');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of parameterShapes(config)) {
    const entry = header[name];
    if (!entry && name.startsWith('score.') && !fileHasHead) {
      weights.set(name, new Float32Array(shape.reduce((a, b) => a * b, 1)));
      continue;
    }
    if (!entry) throw new ArgumentError('checkpoint', `lacks tensor ${name}`);
    const fileShape = isLinearWeight(name) ? [shape[1], shape[0]] : shape;
    if (entry.shape.join(',') !== fileShape.join(',')) {
      throw new ArgumentError(
        'checkpoint',
        `tensor ${name} has shape [${entry.shape}]; expected [${fileShape}]`,
      );
    }
    const [a, b] = entry.data_offsets;
    let data: Float32Array = new Float32Array((b - a) / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(dataStart + a + 4 * i, true);
    if (isLinearWeight(name)) data = transpose2d(data, fileShape[0], fileShape[1]);
    weights.set(name, data);
  }
  const model = gptFromWeights(config, weights);
  return { model, tokenizer, config, meta: { step: Number(metadata.step ?? 0), extra } };
}

/** Copies weights from one model into another of the same config (e.g. policy → frozen reference). */
export function copyWeights(from: GPT, to: GPT): void {
  for (const [name, v] of to.named) {
    const src = from.named.get(name);
    if (!src) throw new ArgumentError('from', `lacks parameter ${name}`);
    v.assign(src);
  }
}

/** Weights as plain arrays (for rollback snapshots kept off the device). */
export async function readWeights(model: GPT): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.named) out.set(name, (await v.data()) as Float32Array);
  return out;
}

/** Writes plain-array weights back into a model's variables. */
export function writeWeights(model: GPT, weights: Map<string, Float32Array>): void {
  for (const [name, v] of model.named) {
    const data = weights.get(name);
    if (!data || data.length !== v.size)
      throw new ArgumentError('weights', `missing or wrong size for ${name}`);
    tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
  }
}
