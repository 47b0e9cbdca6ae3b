// Reading what a checkpoint says about itself without loading it: the
// safetensors header is 8 bytes of length and a JSON object, so the page can
// read it with no tfjs (the weights themselves only ever move between the
// workers and files). Used to write the `config.json` that goes with an
// exported `.safetensors` and to check files before they are stored.

export interface CheckpointHeader {
  format: string;
  config: {
    vocabSize: number;
    blockSize: number;
    nLayer: number;
    nHead: number;
    nEmbd: number;
    tiedHead: boolean;
    scalarHead: boolean;
  };
  chars: string[];
  step: number;
  /** Tensor names with their (PyTorch-layout) shapes. */
  tensors: Record<string, number[]>;
}

/** The header, or an Error saying what is wrong with the bytes. */
export function readCheckpointHeader(bytes: Uint8Array): CheckpointHeader {
  if (bytes.length < 8) throw new Error('The checkpoint is shorter than 8 bytes.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n <= 1 || 8 + n > bytes.length) {
    throw new Error(`The checkpoint declares a ${n}-byte header in a ${bytes.length}-byte file.`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<
      string,
      unknown
    >;
  } catch {
    throw new Error('The checkpoint header is not JSON.');
  }
  const { __metadata__: metadata, ...rest } = header;
  const m = (metadata ?? {}) as Record<string, string>;
  let config: CheckpointHeader['config'];
  let chars: string[];
  try {
    const c = JSON.parse(m.config) as Partial<CheckpointHeader['config']>;
    config = {
      vocabSize: Number(c.vocabSize),
      blockSize: Number(c.blockSize),
      nLayer: Number(c.nLayer),
      nHead: Number(c.nHead),
      nEmbd: Number(c.nEmbd),
      tiedHead: c.tiedHead !== false,
      scalarHead: c.scalarHead === true,
    };
    chars = (JSON.parse(m.tokenizer) as { chars: string[] }).chars;
  } catch {
    throw new Error('The checkpoint has no model config or tokenizer in its metadata.');
  }
  const dims = [config.vocabSize, config.blockSize, config.nLayer, config.nHead, config.nEmbd];
  if (!dims.every((d) => Number.isInteger(d) && d > 0) || !Array.isArray(chars)) {
    throw new Error('The checkpoint config is malformed.');
  }
  const tensors: Record<string, number[]> = {};
  for (const [name, entry] of Object.entries(rest)) {
    tensors[name] = ((entry as { shape?: number[] })?.shape ?? []).slice();
  }
  return { format: m.format ?? '', config, chars, step: Number(m.step ?? 0), tensors };
}

/**
 * A `config.json` for an exported checkpoint, in nanoGPT's names (GPTConfig:
 * block_size, vocab_size, n_layer, n_head, n_embd, bias) plus what this
 * model adds: the tied head, the scalar (value/reward) head, the activation
 * and the character vocabulary (ids 0–3 are PAD, BOS, EOS, UNK).
 */
export function configJson(meta: CheckpointHeader, about: Record<string, unknown> = {}): string {
  const c = meta.config;
  const config = {
    model_type: 'rlhf-playground-gpt',
    format: meta.format,
    block_size: c.blockSize,
    vocab_size: c.vocabSize,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_embd: c.nEmbd,
    bias: true,
    dropout: 0,
    tied_head: c.tiedHead,
    scalar_head: c.scalarHead,
    layer_norm_epsilon: 1e-5,
    activation: 'gelu_tanh',
    tokenizer: {
      kind: 'char',
      special_tokens: { pad: 0, bos: 1, eos: 2, unk: 3 },
      chars: meta.chars,
    },
    step: meta.step,
    ...about,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
