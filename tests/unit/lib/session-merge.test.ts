import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../../src/lib/persistence/base64';
import { buildSessionFile, parseSessionFile } from '../../../src/lib/persistence/session-file';
import { mergeDemonstrations, mergeRankings } from '../../../src/lib/persistence/session-merge';
import { newSessionRecord } from '../../../src/lib/persistence/session-store';

const ranking = (prompt: string, ranks: number[], presetId = 'happy-endings') => ({
  presetId,
  prompt,
  samples: ranks.map((_, i) => `s${i}`),
  ranks,
  by: 'person' as const,
  createdAt: 1,
});

describe('merging sessions’ rankings', () => {
  it('adds each distinct ranking once and never touches what is there', () => {
    const mine = [ranking('a\n', [0, 1])];
    const alice = [ranking('a\n', [0, 1]), ranking('b\n', [1, 0])];
    const bob = [ranking('b\n', [1, 0]), ranking('c\n', [0, 0, 1]), ranking('a\n', [1, 0])];
    const r = mergeRankings(mine, [alice, bob]);
    expect(r.added.map((x) => [x.prompt, x.ranks])).toEqual([
      ['b\n', [1, 0]],
      ['c\n', [0, 0, 1]],
      ['a\n', [1, 0]], // same prompt and samples, another order: another ranking
    ]);
    expect(r.duplicates).toBe(2);
    expect(mine).toHaveLength(1);
  });

  it('is idempotent, and tells presets apart', () => {
    const mine = [ranking('a\n', [0, 1])];
    const first = mergeRankings(mine, [[ranking('a\n', [0, 1], 'short-and-sweet')]]);
    expect(first.added).toHaveLength(1);
    const again = mergeRankings(
      [...mine, ...first.added],
      [[ranking('a\n', [0, 1], 'short-and-sweet')]],
    );
    expect(again).toEqual({ added: [], duplicates: 1 });
  });

  it('merges demonstrations by preset, prompt and response', () => {
    const d = (response: string) => ({ presetId: 'p', prompt: 'x\n', response });
    expect(mergeDemonstrations([d('one')], [d('one'), d('two'), d('two')])).toEqual({
      added: [d('two')],
      duplicates: 2,
    });
  });
});

describe('session files', () => {
  /** A minimal safetensors file with our metadata (the header is all the checks read). */
  /** A loadable checkpoint (every tensor its config needs, zeros) of a 1-layer, 2-wide model. */
  function checkpoint(): Uint8Array {
    const C = 2;
    const shapes: [string, number[]][] = [
      ['transformer.wte.weight', [6, C]],
      ['transformer.wpe.weight', [8, C]],
      ...(
        [
          ['ln_1.weight', [C]],
          ['ln_1.bias', [C]],
          ['attn.c_attn.weight', [3 * C, C]],
          ['attn.c_attn.bias', [3 * C]],
          ['attn.c_proj.weight', [C, C]],
          ['attn.c_proj.bias', [C]],
          ['ln_2.weight', [C]],
          ['ln_2.bias', [C]],
          ['mlp.c_fc.weight', [4 * C, C]],
          ['mlp.c_fc.bias', [4 * C]],
          ['mlp.c_proj.weight', [C, 4 * C]],
          ['mlp.c_proj.bias', [C]],
        ] as [string, number[]][]
      ).map(([n, shape]): [string, number[]] => [`transformer.h.0.${n}`, shape]),
      ['transformer.ln_f.weight', [C]],
      ['transformer.ln_f.bias', [C]],
    ];
    const table: Record<string, unknown> = {
      __metadata__: {
        format: 'rlhf-playground/gpt-v1',
        config: JSON.stringify({ vocabSize: 6, blockSize: 8, nLayer: 1, nHead: 1, nEmbd: C }),
        tokenizer: JSON.stringify({ kind: 'char', chars: ['a', 'b'] }),
        step: '3',
      },
    };
    let offset = 0;
    for (const [name, shape] of shapes) {
      const size = 4 * shape.reduce((a, b) => a * b, 1);
      table[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + size] };
      offset += size;
    }
    const h = new TextEncoder().encode(JSON.stringify(table));
    const out = new Uint8Array(8 + h.length + offset);
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    out.set(h, 8);
    return out;
  }

  it('round-trips a session: record, rows, metrics (NaN as a gap) and checkpoints', () => {
    const session = { ...newSessionRecord('s1', 'Class 3B', 5), presetId: 'happy-endings' };
    session.settings = { 'ppo.lr': 3e-4 };
    session.runs.ppo = { step: 10, total: 30 };
    const bytes = checkpoint();
    const file = buildSessionFile({
      session,
      rankings: [{ id: 4, sessionId: 's1', ...ranking('a\n', [0, 1]) }],
      demonstrations: [
        {
          id: 2,
          sessionId: 's1',
          presetId: 'happy-endings',
          prompt: 'p\n',
          response: 'r',
          createdAt: 2,
        },
      ],
      labels: [],
      metrics: [
        {
          sessionId: 's1',
          run: 'ppo',
          series: { 'ppo/loss/total': { x: [1, 2], y: [0.5, NaN] } },
          savedAt: 0,
        },
      ],
      checkpoints: [{ sessionId: 's1', name: 'ppo', bytes, step: 10, savedAt: 0 }],
    });
    const { file: back, problems } = parseSessionFile(JSON.stringify(file));
    expect(problems).toEqual([]);
    const { id: _id, ...record } = session;
    // updatedAt is when it is imported; everything else comes back as it was.
    expect({ ...back.session, updatedAt: 5 }).toEqual(record);
    expect(back.rankings).toEqual([ranking('a\n', [0, 1])]);
    expect(back.demonstrations).toEqual([
      { presetId: 'happy-endings', prompt: 'p\n', response: 'r', createdAt: 2 },
    ]);
    expect(back.metrics).toEqual({ ppo: { 'ppo/loss/total': { x: [1, 2], y: [0.5, NaN] } } });
    expect(fromBase64(back.checkpoints.ppo!.data)).toEqual(bytes);
    expect(toBase64(new Uint8Array([0, 255, 128]))).toBe('AP+A');
  });

  it('lists what it leaves out of a damaged file, and refuses what is not a session', () => {
    const text = JSON.stringify({
      format: 'rlhf-playground/session-v1',
      session: { name: '<img src=x onerror=alert(1)>', settings: { 'ppo.lr': 5, 'no.such': 1 } },
      rankings: [ranking('a\n', [0, 1]), { ...ranking('b\n', [0, 7]) }, 'junk'],
      checkpoints: { ppo: { step: 1, data: 'AAAA' } },
    });
    const { file, problems } = parseSessionFile(text);
    expect(file.rankings).toHaveLength(1);
    expect(file.session.name).toBe('<img src=x onerror=alert(1)>'); // kept as text, shown as text
    expect(file.session.settings).toEqual({});
    expect(problems).toEqual([
      'rankings[1] has a rank out of range',
      'rankings[2] is not an object',
      'checkpoints.ppo: The checkpoint is shorter than 8 bytes. Left out.',
      'session.settings.ppo.lr: 5 is out of range: expected ≥ 1e-7 and ≤ 0.01. Default used.',
      'session.settings.no.such: unknown setting ignored',
    ]);
    expect(() => parseSessionFile('{"format": "other"}')).toThrow(/not a playground session/);
    expect(() => parseSessionFile('{')).toThrow(/not valid JSON/);
  });
});
