// A preset or base model chosen on Start. Loading it would leave the
// session's trained models behind, so while there are any the choice waits
// for the person to say where it goes: a new session for it (this one is kept
// as it is), a saved session already trained on it, or nowhere (cancel).
import { errorMessage } from '../../core/errors';
import { t } from '../i18n/index.svelte';
import { SessionLibrary, type SessionLibraryPage } from '../persistence/session-library';
import type { ModelChoice } from '../persistence/session-store';
import type { TrainingRun } from './training-run.svelte';

/** A choice waiting for an answer. */
export interface PendingChange {
  presetId?: string;
  modelChoice?: ModelChoice;
  /** A session already trained on that preset and model, to open instead. */
  existing: { id: string; name: string } | null;
}

/** What a change uses of the page: what is loaded, what is trained, and the sessions. */
export interface PresetChangePage extends SessionLibraryPage {
  readonly keeper: SessionLibraryPage['keeper'] & { readonly writable: boolean };
  readonly sft: { readonly fixed: boolean };
  readonly rm: { readonly ready: boolean };
  readonly runs: readonly TrainingRun[];
  readonly anyRunActive: boolean;
  choosePreset(id: string): Promise<void>;
  setModelChoice(choice: ModelChoice): Promise<void>;
  say(text: string, kind?: 'info' | 'problem'): void;
}

export class PresetChange {
  pending: PendingChange | null = $state(null);

  constructor(private readonly pg: PresetChangePage) {}

  /** The session holds trained models that a new preset or base model would leave behind. */
  get hasTrainedModels(): boolean {
    const pg = this.pg;
    return pg.sft.fixed || pg.rm.ready || pg.runs.some((r) => r.step > 0);
  }

  /** A preset chosen on Start: loaded at once, or kept waiting while trained models would be lost. */
  async requestPreset(id: string): Promise<void> {
    if (id === this.pg.presetId && !this.pending) return;
    await this.request({ presetId: id }, () => this.pg.choosePreset(id));
  }

  /** A base model chosen on Start: as `requestPreset`. */
  async requestModelChoice(choice: ModelChoice): Promise<void> {
    if (choice === this.pg.modelChoice && !this.pending) return;
    await this.request({ modelChoice: choice }, () => this.pg.setModelChoice(choice));
  }

  /** Opens the pending preset or model in a new session (this one stays as it is). */
  async confirm(where: 'new' | 'existing'): Promise<void> {
    const change = this.pending;
    if (!change) return;
    const library = new SessionLibrary(this.pg);
    try {
      if (where === 'existing' && change.existing) await library.open(change.existing.id);
      else await library.createFor(change);
    } catch (e) {
      this.pg.say(errorMessage(e), 'problem');
    }
  }

  cancel(): void {
    this.pending = null;
  }

  private async request(
    change: Omit<PendingChange, 'existing'>,
    load: () => Promise<void>,
  ): Promise<void> {
    if (!this.pg.keeper.writable || !this.hasTrainedModels) {
      this.pending = null;
      return load();
    }
    await this.ask(change);
  }

  private async ask(change: Omit<PendingChange, 'existing'>): Promise<void> {
    const pg = this.pg;
    if (pg.anyRunActive) {
      pg.say(t('notice.stopBeforePreset'), 'problem');
      return;
    }
    const presetId = change.presetId ?? pg.presetId;
    const modelChoice = change.modelChoice ?? pg.modelChoice;
    const same = presetId === pg.presetId && modelChoice === pg.modelChoice;
    this.pending = same ? null : { ...change, existing: null };
    if (same) return;
    const existing = await new SessionLibrary(pg)
      .trainedFor(presetId, modelChoice)
      .catch(() => null);
    if (this.pending) this.pending = { ...this.pending, existing };
  }
}
