// Session files are checked in full before anything is stored: a checkpoint
// the workers could not load (data offsets past the end of the file, a config
// of 100,000 layers) is named at import, as the workers' own loader would
// refuse it; a file with more rankings for a preset than a session may hold
// is refused as a whole, naming the limit.
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../helpers/tf';
import { loadCheckpoint, saveCheckpoint } from '../../../src/core/checkpoint';
import { createGPT } from '../../../src/core/model/gpt';
import { CharTokenizer } from '../../../src/core/tokenizer';
import { checkpointProblem } from '../../../src/lib/persistence/checkpoint-check';
import { MAX_RANKINGS } from '../../../src/lib/stages/reward-data';
import { toBase64 } from '../../../src/lib/persistence/base64';
import { parseSessionFile } from '../../../src/lib/persistence/session-file';
import { SESSION_FORMAT } from '../../../src/lib/persistence/session-version';

let good: Uint8Array;
beforeAll(async () => {
  await useBackend('cpu');
  const tokenizer = CharTokenizer.fromText('abc ');
  const model = createGPT(
    { vocabSize: tokenizer.vocabSize, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 },
    1,
  );
  good = await saveCheckpoint(model, tokenizer, { step: 3 });
  model.dispose();
});

type Header = Record<string, { data_offsets: number[] }> & { __metadata__: { config: string } };

/** The same checkpoint with its JSON header changed by `edit` (the data stays as it is). */
function rewrite(bytes: Uint8Array, edit: (header: Header) => void): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Header;
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + n), 8 + json.length);
  return out;
}

const withConfig = (change: Record<string, number>) => (h: Header) => {
  const meta = h.__metadata__;
  meta.config = JSON.stringify({ ...JSON.parse(meta.config), ...change });
};

function sessionText(parts: Record<string, unknown>): string {
  return JSON.stringify({ format: SESSION_FORMAT, session: { name: 'S' }, ...parts });
}

describe('session file checks', () => {
  it('accepts a checkpoint the workers load, and names what is wrong with one they would refuse', () => {
    expect(checkpointProblem(good)).toBeNull();
    expect(() => loadCheckpoint(good)).not.toThrow();
    const broken: [string, Uint8Array, RegExp][] = [
      [
        'offsets of 4e15',
        rewrite(good, (h) => (h['transformer.wte.weight'].data_offsets = [0, 4e15])),
        /transformer\.wte\.weight has data offsets \[0,4000000000000000\] that do not fit/,
      ],
      ['nLayer 1e5', rewrite(good, withConfig({ nLayer: 1e5 })), /nLayer is 100000; at most 64/],
      [
        'a layer more than the file holds',
        rewrite(good, withConfig({ nLayer: 3 })),
        /lacks the tensor transformer\.h\.2\.ln_1\.weight/,
      ],
      [
        'a wider config than its tensors',
        rewrite(good, withConfig({ nEmbd: 16 })),
        /transformer\.wte\.weight has 64 values; its config needs 128/,
      ],
      ['a truncated file', good.subarray(0, good.length - 4), /do not fit/],
    ];
    for (const [what, bytes, said] of broken) {
      // The workers' loader refuses each (the independent reference) …
      expect(() => loadCheckpoint(bytes), what).toThrow();
      // … and the page names why before anything is stored.
      expect(checkpointProblem(bytes), what).toMatch(said);
    }
  });

  it('lists a broken checkpoint as a problem, so a strict import stores nothing', () => {
    const bad = rewrite(good, (h) => (h['transformer.wpe.weight'].data_offsets = [0, 4e15]));
    const text = sessionText({
      checkpoints: { sft: { step: 1, data: toBase64(good) }, rm: { step: 2, data: toBase64(bad) } },
    });
    const { file, problems } = parseSessionFile(text);
    expect(Object.keys(file.checkpoints)).toEqual(['sft']);
    expect(problems).toEqual([
      expect.stringMatching(/^checkpoints\.rm: .*wpe\.weight has data offsets .* Left out\.$/),
    ]);
  });

  it(`refuses a file with more than ${MAX_RANKINGS} rankings for one preset, naming the limit`, () => {
    const ranking = (i: number, presetId = 'happy-endings') => ({
      presetId,
      prompt: 'p',
      samples: [`a${i}`, 'b'],
      ranks: [0, 1],
      by: 'person',
      createdAt: 1,
    });
    const atLimit = Array.from({ length: MAX_RANKINGS }, (_, i) => ranking(i));
    const ok = parseSessionFile(sessionText({ rankings: [...atLimit, ranking(0, 'other')] }));
    expect(ok.file.rankings).toHaveLength(MAX_RANKINGS + 1);
    expect(() => parseSessionFile(sessionText({ rankings: [...atLimit, ranking(-1)] }))).toThrow(
      'Nothing was imported: the file holds 20,001 rankings for the preset “happy-endings”, and a preset holds at most 20,000 rankings per session.',
    );
  });
});

describe('the format a session file names', () => {
  it('keeps a choice of optimisers and the runs of DPO and GRPO; an older file without them reads', () => {
    const runs = { dpo: { step: 4, total: 40 }, grpo: { step: 2, total: 30 } };
    const read = (session: Record<string, unknown>) =>
      parseSessionFile(JSON.stringify({ format: SESSION_FORMAT, session })).file.session;
    const s = read({ name: 'S', optimiseMode: 'ppo,dpo', runs });
    expect(s.optimiseMode).toBe('ppo,dpo');
    expect(s.runs.dpo).toEqual({ step: 4, total: 40 });
    expect(s.runs.grpo).toEqual({ step: 2, total: 30 });
    // Before DPO and GRPO: 'both', and no runs of theirs (they start at 0).
    const old = read({ name: 'S', optimiseMode: 'both', runs: { ppo: { step: 3, total: 30 } } });
    expect(old.optimiseMode).toBe('both');
    expect(old.runs.ppo).toEqual({ step: 3, total: 30 });
    expect(old.runs.dpo).toEqual({ step: 0, total: 0 });
    // A choice that is not one keeps the default.
    expect(read({ name: 'S', optimiseMode: 'ppo,ppo' }).optimiseMode).toBe('both');
  });

  it('names a file of a newer format (every import path parses through here)', () => {
    expect(SESSION_FORMAT).toBe('rlhf-playground/session-v1');
    const newer = JSON.stringify({ format: 'rlhf-playground/session-v7', session: {} });
    expect(() => parseSessionFile(newer)).toThrow(
      /newer version of the playground \(rlhf-playground\/session-v7\); this page reads rlhf-playground\/session-v1/,
    );
    // Anything else is simply not a session.
    for (const other of ['{"format":"rlhf-playground/session-v0"}', '{"format":"x"}', '[]']) {
      expect(() => parseSessionFile(other)).toThrow(/not a playground session/);
    }
  });
});
