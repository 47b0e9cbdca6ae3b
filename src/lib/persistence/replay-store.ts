// What a run's policy wrote, iteration by iteration, kept with the session
// for replaying training: one row per (session, run, step), at most
// MAX_REPLAY_ITERATIONS per run (writing one drops those that many steps
// older). Without IndexedDB the same calls work on a Map for the visit.
import { MAX_REPLAY_ITERATIONS, keepLatest, type IterationRecord } from '../stages/replay';
import type { PlaygroundStore } from './storage';

export interface StoredIteration extends IterationRecord {
  sessionId: string;
  run: string;
  savedAt: number;
}

const runRange = (id: string, run: string, below = Infinity) =>
  IDBKeyRange.bound([id, run, -Infinity], [id, run, below], false, true);

export class ReplayStore {
  private readonly memory = new Map<string, StoredIteration>();

  constructor(
    private readonly rows: PlaygroundStore,
    private readonly max = MAX_REPLAY_ITERATIONS,
  ) {}

  /** Keeps one iteration, and forgets those of its run `max` steps older or more. */
  async put(row: StoredIteration): Promise<void> {
    const below = row.step - this.max + 1;
    const done = await this.rows.withStore('samples', 'readwrite', (s) => {
      s.delete(runRange(row.sessionId, row.run, below));
      return s.put(row);
    });
    if (done !== undefined) return;
    this.memory.set(`${row.sessionId}/${row.run}/${row.step}`, row);
    for (const [key, r] of this.memory) {
      if (r.sessionId === row.sessionId && r.run === row.run && r.step < below) {
        this.memory.delete(key);
      }
    }
  }

  /** A run's kept iterations, oldest first. */
  async of(id: string, run: string): Promise<StoredIteration[]> {
    const rows = await this.rows.withStore('samples', 'readonly', (s) =>
      s.getAll(runRange(id, run)),
    );
    if (rows !== undefined) return rows as StoredIteration[];
    return [...this.memory.values()]
      .filter((r) => r.sessionId === id && r.run === run)
      .sort((a, b) => a.step - b.step);
  }

  /** Forgets a run's iterations. */
  async delete(id: string, run: string): Promise<void> {
    await this.rows.withStore('samples', 'readwrite', (s) => s.delete(runRange(id, run)));
    for (const [key, r] of this.memory) {
      if (r.sessionId === id && r.run === run) this.memory.delete(key);
    }
  }
}

/**
 * Puts each run's kept iterations back, up to the step its checkpoint was
 * saved at (`saved`): a restored run continues from there.
 */
export async function restoreIterations(
  store: ReplayStore,
  id: string,
  runs: Record<string, { iterations: IterationRecord[] }>,
  saved: Partial<Record<string, number>>,
): Promise<void> {
  for (const [run, r] of Object.entries(runs)) {
    const step = saved[run];
    if (step === undefined) continue;
    let kept: IterationRecord[] = [];
    for (const row of await store.of(id, run)) {
      if (row.step <= step) kept = keepLatest(kept, { step: row.step, samples: row.samples });
    }
    r.iterations = kept;
  }
}
