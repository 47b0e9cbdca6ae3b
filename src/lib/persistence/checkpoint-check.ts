// Checking a checkpoint's bytes on the page before they are stored (a
// session file's models), with no tfjs: the same things the workers' loader
// (src/core/checkpoint.ts) would refuse when the session is opened — a
// config out of any sane range, a tensor the config needs that is missing or
// of the wrong size, data offsets that point outside the file — so a broken
// file is refused at import with a clear message instead of failing later.
import { readCheckpointHeader, type CheckpointHeader } from './checkpoint-meta';

/** The format the workers load (src/core/checkpoint.ts CHECKPOINT_FORMAT; that module needs tfjs). */
const FORMAT = 'rlhf-playground/gpt-v1';

/** Bounds far above any model this playground trains, far below what would exhaust memory. */
export const CHECKPOINT_BOUNDS = {
  vocabSize: 1_000_000,
  blockSize: 8192,
  nLayer: 64,
  nHead: 64,
  nEmbd: 4096,
} as const;

interface Entry {
  dtype?: unknown;
  shape?: unknown;
  data_offsets?: unknown;
}

const isCount = (x: unknown): x is number =>
  typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Names and element counts of the tensors a config needs (src/core/model/params.ts `parameterShapes`). */
function expectedTensors(c: CheckpointHeader['config']): [string, number][] {
  const C = c.nEmbd;
  const out: [string, number][] = [
    ['transformer.wte.weight', c.vocabSize * C],
    ['transformer.wpe.weight', c.blockSize * C],
  ];
  for (let l = 0; l < c.nLayer; l++) {
    const h = `transformer.h.${l}`;
    out.push(
      [`${h}.ln_1.weight`, C],
      [`${h}.ln_1.bias`, C],
      [`${h}.attn.c_attn.weight`, 3 * C * C],
      [`${h}.attn.c_attn.bias`, 3 * C],
      [`${h}.attn.c_proj.weight`, C * C],
      [`${h}.attn.c_proj.bias`, C],
      [`${h}.ln_2.weight`, C],
      [`${h}.ln_2.bias`, C],
      [`${h}.mlp.c_fc.weight`, 4 * C * C],
      [`${h}.mlp.c_fc.bias`, 4 * C],
      [`${h}.mlp.c_proj.weight`, 4 * C * C],
      [`${h}.mlp.c_proj.bias`, C],
    );
  }
  out.push(['transformer.ln_f.weight', C], ['transformer.ln_f.bias', C]);
  if (!c.tiedHead) out.push(['lm_head.weight', C * c.vocabSize]);
  return out;
}

/** The scalar head, when a file has one (a model without starts it at zero). */
function headTensors(c: CheckpointHeader['config']): [string, number][] {
  return [
    ['score.weight', c.nEmbd],
    ['score.bias', 1],
  ];
}

/** What is wrong with a checkpoint's bytes (one sentence), or null when it would load. */
export function checkpointProblem(bytes: Uint8Array): string | null {
  let meta: CheckpointHeader;
  try {
    meta = readCheckpointHeader(bytes);
  } catch (e) {
    return (e as Error).message;
  }
  if (meta.format !== FORMAT) {
    return `The checkpoint is not a ${FORMAT} checkpoint (its format: “${meta.format}”).`;
  }
  const c = meta.config;
  for (const [key, max] of Object.entries(CHECKPOINT_BOUNDS)) {
    const v = c[key as keyof typeof CHECKPOINT_BOUNDS];
    if (v > max) return `The checkpoint's ${key} is ${v}; at most ${max} can be loaded.`;
  }
  if (c.nEmbd % c.nHead !== 0) {
    return `The checkpoint's nEmbd (${c.nEmbd}) is not divisible by its nHead (${c.nHead}).`;
  }
  if (meta.chars.length + 4 !== c.vocabSize) {
    return `The checkpoint's tokenizer has ${meta.chars.length} characters for a vocabulary of ${c.vocabSize}.`;
  }
  // The header again, for the entries' offsets (readCheckpointHeader keeps only the shapes).
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const dataLength = bytes.length - 8 - headerLength;
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)),
  ) as Record<string, Entry> | null;
  const counts = new Map<string, number>();
  for (const [name, e] of Object.entries(header ?? {})) {
    if (name === '__metadata__') continue;
    const shape = e?.shape;
    const offsets = e?.data_offsets;
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      return `The checkpoint's tensor ${name} has no valid shape.`;
    }
    if (e.dtype !== 'F32') return `The checkpoint's tensor ${name} is not F32.`;
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !isCount(offsets[0]) ||
      !isCount(offsets[1]) ||
      offsets[1] > dataLength ||
      offsets[1] - offsets[0] !== count * 4
    ) {
      return `The checkpoint's tensor ${name} has data offsets ${JSON.stringify(offsets)} that do not fit its ${dataLength} bytes of data.`;
    }
    counts.set(name, count);
  }
  for (const [name, count] of expectedTensors(c)) {
    const have = counts.get(name);
    if (have === undefined) {
      return `The checkpoint lacks the tensor ${name} that its config (${c.nLayer} layers, ${c.nEmbd} wide) needs.`;
    }
    if (have !== count) {
      return `The checkpoint's tensor ${name} has ${have} values; its config needs ${count}.`;
    }
  }
  for (const [name, count] of headTensors(c)) {
    const have = counts.get(name);
    if (have !== undefined && have !== count) {
      return `The checkpoint's tensor ${name} has ${have} values; its config needs ${count}.`;
    }
  }
  return null;
}
