// Export and import for the open session: preferences (TRL), rankings,
// demonstrations, metrics, model weights; and JSONL imports, checked in full
// before anything is written (import-validate.ts). Imports only add: a row
// equal to one already there is skipped, and nothing stored is replaced.
// An import is written in one IndexedDB transaction: all of it, or (the page
// closed mid-way) none of it.
import { configJson, readCheckpointHeader } from '../persistence/checkpoint-meta';
import {
  demonstrationsJsonl,
  metricsCsv,
  metricsOf,
  preferencesJsonl,
  rankingRows,
  rankingsJsonl,
} from './export-formats';
import { formatNumber, t } from '../i18n/index.svelte';
import {
  ImportRefused,
  JSONL_LIMITS,
  checkJsonl,
  describeProblems,
  showChars,
  type ImportCheck,
  type ImportKind,
} from '../persistence/import-validate';
import { MAX_RANKINGS } from '../stages/reward-data';
import { RUN_NAMES } from '../persistence/session-store';
import { OPTIMISERS, type OptimiserKind } from '../optimisers';
import { mergeDemonstrations, mergeRankings } from '../persistence/session-merge';
import type { PlaygroundState } from '../state.svelte';
import type { StoredRanking } from '../persistence/storage';

export type WeightsChoice = 'policy' | 'sft' | OptimiserKind | 'rm';

export const WEIGHTS_LABELS: Record<WeightsChoice, string> = {
  policy: 'The policy as it is now',
  sft: 'The SFT model',
  ppo: 'The PPO policy',
  rrhf: 'The RRHF policy',
  dpo: 'The DPO policy',
  grpo: 'The GRPO policy',
  rm: 'The reward model',
};

export interface ExportFile {
  name: string;
  type: string;
  body: string | Uint8Array;
}

export class Transfer {
  constructor(private readonly pg: PlaygroundState) {}

  private stem(): string {
    return `rlhf-${this.pg.presetId || 'playground'}`;
  }

  /** The current preset's rankings as K=2..9 rows. */
  private rows() {
    return rankingRows(this.pg.ranking.rankings);
  }

  preferences(): ExportFile {
    const body = preferencesJsonl(this.rows());
    return { name: `${this.stem()}-preferences.jsonl`, type: 'application/jsonl', body };
  }

  rankings(): ExportFile {
    const body = rankingsJsonl(this.rows());
    return { name: `${this.stem()}-rankings.jsonl`, type: 'application/jsonl', body };
  }

  /** The preset's demonstrations and the person's own: what SFT trains on. */
  demonstrations(): ExportFile {
    const body = demonstrationsJsonl(this.pg.sft.demonstrations);
    return { name: `${this.stem()}-demonstrations.jsonl`, type: 'application/jsonl', body };
  }

  metrics(): ExportFile {
    const body = metricsCsv(metricsOf(this.pg.metrics, RUN_NAMES));
    return { name: `${this.stem()}-metrics.csv`, type: 'text/csv', body };
  }

  /** Which weights exist now. */
  weightsAvailable(): WeightsChoice[] {
    const { pg } = this;
    const out: WeightsChoice[] = [];
    if (pg.ready && !pg.anyRunActive) out.push('policy');
    if (pg.workers?.sft) out.push('sft');
    for (const k of OPTIMISERS) if (pg.optimise.checkpoints[k]) out.push(k);
    if (pg.rm.ready || pg.rm.run.step > 0) out.push('rm');
    return out;
  }

  /**
   * The weights as the workers write them (safetensors, nanoGPT names,
   * PyTorch's (out, in) layout) and a config.json beside them, for
   * scripts/load_torch.py or any safetensors reader.
   */
  async weights(which: WeightsChoice): Promise<ExportFile[]> {
    const { pg } = this;
    const workers = pg.workers;
    if (!workers) throw new Error('The workers are not running.');
    let bytes: Uint8Array | null | undefined;
    if (which === 'policy') {
      if (pg.anyRunActive) throw new Error('Stop the training that runs first.');
      bytes = await pg.withModels(() => workers.policyCheckpoint('main'));
    } else if (which === 'sft') bytes = workers.sft;
    else if (which === 'rm') bytes = await workers.rewardCheckpoint();
    else bytes = pg.optimise.checkpoints[which];
    if (!bytes) throw new Error(`There are no ${WEIGHTS_LABELS[which].toLowerCase()} weights yet.`);
    const meta = readCheckpointHeader(bytes);
    const stem = `${this.stem()}-${which}`;
    const config = configJson(meta, {
      exported_from: 'rlhf-playground',
      model: which,
      preset: pg.presetId,
    });
    return [
      { name: `${stem}.safetensors`, type: 'application/octet-stream', body: bytes },
      { name: `${stem}.config.json`, type: 'application/json', body: config },
    ];
  }

  /** Checks a JSONL file against the current model; throws ImportRefused for a file it cannot read. */
  check(text: string, kind: ImportKind | null): ImportCheck<ImportKind> {
    const { pg } = this;
    if (!pg.model)
      throw new Error('Wait for the model to load: imports are checked against its characters.');
    return checkJsonl(text, kind, { ...pg.limits, ...JSONL_LIMITS });
  }

  /**
   * Writes the rows of a check into the open session and preset, all in one
   * transaction. With problems and `lenient` false, writes nothing and
   * throws them all; rankings beyond MAX_RANKINGS are refused as a whole.
   */
  async apply(
    check: ImportCheck<ImportKind>,
    lenient: boolean,
  ): Promise<{ added: number; duplicates: number; rejected: string[] }> {
    const rejected = describeProblems(check.problems, Infinity);
    if (check.problems.length > 0 && !lenient) {
      throw new Error(`Nothing was imported. ${describeProblems(check.problems).join('; ')}.`);
    }
    const { pg } = this;
    const presetId = pg.presetId;
    const now = Date.now();
    if (check.kind === 'demonstrations') {
      const rows = (check as ImportCheck<'demonstrations'>).rows.map((d) => ({
        presetId,
        prompt: d.prompt,
        response: d.completion,
        createdAt: now,
      }));
      const existing = pg.sft.demonstrations.map((d) => ({ ...d, presetId }));
      const { added, duplicates } = mergeDemonstrations(existing, rows);
      const saved = await pg.store.addMany('demonstrations', added);
      pg.sft.ownDemos = [...pg.sft.ownDemos, ...saved];
      // Kept as written; the model reads these characters as “unknown” and cannot write them.
      const unwritable = check.unwritable.filter((c) => added.some((d) => hasChar(d, c)));
      if (unwritable.length > 0) {
        pg.say(t('import.unwritable', { n: added.length, chars: showChars(unwritable) }));
      }
      return { added: added.length, duplicates, rejected };
    }
    const incoming: Omit<StoredRanking, 'id'>[] =
      check.kind === 'rankings'
        ? (check as ImportCheck<'rankings'>).rows.map((r) => ({
            presetId,
            prompt: r.prompt,
            samples: r.completions,
            ranks: r.ranks,
            ...(r.grades ? { grades: r.grades } : {}),
            by: 'person' as const,
            createdAt: now,
          }))
        : (check as ImportCheck<'preferences'>).rows.map((p) => ({
            presetId,
            prompt: p.prompt,
            samples: [p.chosen, p.rejected],
            ranks: [0, 1],
            by: 'person' as const,
            createdAt: now,
          }));
    const { added, duplicates } = mergeRankings(pg.ranking.rankings, [incoming]);
    const have = pg.ranking.rankings.length;
    if (have + added.length > MAX_RANKINGS) {
      throw new ImportRefused(
        t('import.tooManyRankings', {
          n: formatNumber(added.length),
          have: formatNumber(have),
          limit: formatNumber(MAX_RANKINGS),
          room: formatNumber(Math.max(0, MAX_RANKINGS - have)),
        }),
      );
    }
    const saved = await pg.store.addMany('rankings', added);
    pg.ranking.append(saved);
    return { added: added.length, duplicates, rejected };
  }
}

const hasChar = (d: { prompt: string; response: string }, c: string) =>
  d.prompt.includes(c) || d.response.includes(c);

/** Saves a file the page made. */
export function toBlob(f: ExportFile): Blob {
  const body = typeof f.body === 'string' ? f.body : new Uint8Array(f.body);
  return new Blob([body], { type: f.type });
}
