/** The model's shape as a plain typed record (DESIGN.md, "Models"). */
import { ArgumentError } from '../errors';

export interface GPTConfig {
  vocabSize: number;
  /** Context length: the most tokens one forward pass sees. */
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  /** Share the token embedding with the LM head (GPT-2). Default true. */
  tiedHead?: boolean;
  /** A scalar head on the final hidden state: the value head (PPO) or reward head (RM). */
  scalarHead?: boolean;
}

export type ModelSize = 'nano' | 'micro';

/** Reference sizes from DESIGN.md: nano ≈ 0.8 M parameters, micro for slow backends. */
export const MODEL_SIZES: Record<ModelSize, Omit<GPTConfig, 'vocabSize'>> = {
  nano: { blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 128 },
  micro: { blockSize: 128, nLayer: 2, nHead: 4, nEmbd: 64 },
};

export function validateConfig(config: GPTConfig): Required<GPTConfig> {
  const positiveInt = (name: keyof GPTConfig) => {
    const v = config[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new ArgumentError(`config.${name}`, `is ${String(v)}; expected a positive integer`);
    }
  };
  (['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const).forEach(positiveInt);
  if (config.nEmbd % config.nHead !== 0) {
    throw new ArgumentError(
      'config.nEmbd',
      `(${config.nEmbd}) is not divisible by nHead (${config.nHead})`,
    );
  }
  return { tiedHead: true, scalarHead: false, ...config };
}
