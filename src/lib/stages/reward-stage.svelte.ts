// Reward model: trains on the saved rankings (all C(K,2) pairs of a prompt in
// one batch element), measures pairwise accuracy on rankings it never sees,
// and afterwards shifts its bias so that the demonstrations score 0 on
// average (InstructGPT).
import { errorMessage } from '../../core/errors';
import type { RankedPreference } from '../../core/preferences';
import { splitHeldout, totalComparisons, trainingPreferences } from './reward-data';
import { rmQuality, type RmQuality } from '../measures/rm-quality';
import type { ModelLanes } from '../bridge/lanes';
import type { MetricLog } from '../measures/metrics';
import type { StoredRanking } from '../persistence/storage';
import type { Settings } from '../settings/settings';
import type { Demonstration } from './demonstrations';
import { rewardLoopSettings } from '../settings/run-settings';
import { TrainingRun, startSingleStep } from './training-run.svelte';
import { t } from '../i18n/index.svelte';
import type { SettingsEditor } from '../settings/settings-editor.svelte';
import type { PageEvents } from '../page-events';

/** Held-out accuracy is measured every this many steps. */
const HELDOUT_EVERY = 10;

/** What the reward-model stage uses of the page: the workers, the rankings, SFT and the optimisers. */
export interface RewardStagePage {
  readonly workers: ModelLanes | null;
  readonly ready: boolean;
  readonly seed: number;
  readonly settings: Settings;
  readonly metrics: MetricLog;
  readonly ranking: { readonly rankings: StoredRanking[] };
  readonly sft: { readonly demonstrations: Demonstration[]; fix(): Promise<void> };
  readonly settingsEditor: Pick<SettingsEditor, 'blockers'>;
  readonly events: PageEvents;
  say(text: string, kind?: 'info' | 'problem'): void;
}

export class RewardStageState {
  readonly run: TrainingRun;
  /** Trained and normalised: PPO and RRHF may use it. */
  ready = $state(false);
  heldout: { accuracy: number; loss: number; pairs: number } | null = $state.raw(null);
  /** Leave-one-out accuracy over every ranking, for a reward head on the frozen trunk. */
  crossValidated: { accuracy: number; pairs: number; rankings: number } | null = $state.raw(null);
  /** Set from the end of training until the leave-one-out test ends, so its quality never reads 'unknown' meanwhile. */
  crossValidating = $state(false);
  private evaluating = false;

  constructor(private readonly pg: RewardStagePage) {
    this.run = new TrainingRun('rm', pg.metrics);
  }

  /** Rankings with at least one comparison, split into training and held-out sets. */
  data() {
    const groups = trainingPreferences(this.pg.ranking.rankings);
    return splitHeldout(groups, this.pg.settings['rm.heldoutShare']);
  }

  /** Whether the RM learned the person's taste, as its held-out accuracy says (or cannot say). */
  get quality(): RmQuality {
    const { train, heldout } = this.data();
    return rmQuality({
      ready: this.ready,
      heldout: this.heldout,
      rankings: train.length + heldout.length,
      heldoutRankings: heldout.length,
      heldoutPairs: totalComparisons(heldout),
      heldoutShare: this.pg.settings['rm.heldoutShare'],
      crossValidated: this.crossValidated,
      crossValidating: this.crossValidating,
    });
  }

  private get objective(): 'pairwise' | 'direct' {
    return this.pg.settings['rm.objective'] as 'pairwise' | 'direct';
  }

  blockers(): string[] {
    const out = this.pg.settingsEditor.blockers('rm');
    if (!this.pg.ready) out.unshift(t('problem.noModel'));
    if (this.data().train.length === 0) {
      out.push(t('problem.noRankings'));
    }
    return out;
  }

  /** Trains (or continues) the reward model; `steps` overrides the setting (live mode's small updates). */
  async play(paused = false, steps?: number): Promise<void> {
    if (this.run.status === 'paused') return void this.run.resume();
    const workers = this.pg.workers;
    if (!workers || this.run.active || this.blockers().length > 0) return;
    await this.pg.sft.fix();
    const s = this.pg.settings;
    const { train, heldout } = this.data();
    const settings = rewardLoopSettings(s, this.pg.seed, this.run.step, steps);
    const ok = await this.run.start(
      settings.maxSteps,
      (cb, startPaused) => workers.trainRewardModel(train, { ...settings, startPaused }, cb),
      {
        paused,
        onStep: (step) => {
          if (step % HELDOUT_EVERY === 0 && heldout.length > 0) void this.measureHeldout(step);
        },
      },
    );
    if (!ok) return;
    this.crossValidating = this.crossValidationGroups() !== null;
    try {
      await (await workers.rewardModel()).api.normalize(this.pg.sft.demonstrations);
      this.ready = true;
      if (heldout.length > 0) await this.measureHeldout(this.run.step, true);
      await this.crossValidate();
      void this.pg.events.emit('rewardModel');
    } catch (e) {
      this.run.problem = errorMessage(e);
    } finally {
      this.crossValidating = false;
    }
  }

  step(): Promise<void> {
    return startSingleStep(this.run, () => this.play(true));
  }

  /** Held-out loss and pairwise accuracy, drawn on the RM charts at `step`. */
  private async measureHeldout(step: number, force = false): Promise<void> {
    const workers = this.pg.workers;
    const { heldout } = this.data();
    if (!workers || heldout.length === 0 || (this.evaluating && !force)) return;
    this.evaluating = true;
    try {
      const reward = await workers.rewardModel();
      const r = await reward.api.evaluate(heldout, this.objective);
      this.heldout = r;
      this.pg.metrics.push('rm', step, {
        'rm/heldout_accuracy': r.accuracy,
        'rm/heldout_loss': r.loss,
      });
    } catch (e) {
      this.pg.say(t('notice.heldoutFailed', { reason: errorMessage(e) }), 'problem');
    } finally {
      this.evaluating = false;
    }
  }

  /** The rankings to test leave-one-out, or null where that test does not apply (it needs a frozen-trunk head, the pairwise objective and two rankings or more). */
  private crossValidationGroups(): RankedPreference[] | null {
    const groups = trainingPreferences(this.pg.ranking.rankings);
    const applies =
      this.pg.workers !== null &&
      this.pg.settings['rm.trains'] === 'head' &&
      this.objective === 'pairwise' &&
      groups.length >= 2;
    return applies ? groups : null;
  }

  /** Tests a frozen-trunk head on every ranking in turn. */
  private async crossValidate(): Promise<void> {
    const workers = this.pg.workers;
    const s = this.pg.settings;
    const groups = this.crossValidationGroups();
    this.crossValidated = null;
    if (!workers || !groups) return;
    try {
      const { maxSteps, lr, cutOff, readout } = rewardLoopSettings(s, this.pg.seed);
      const reward = await workers.rewardModel();
      const r = await reward.api.crossValidate(groups, {
        steps: maxSteps,
        lr,
        cutOff,
        readout,
      });
      this.crossValidated = { ...r, rankings: groups.length };
    } catch (e) {
      this.pg.say(t('notice.crossValidationFailed', { reason: errorMessage(e) }), 'problem');
    }
  }

  reset(): void {
    if (this.run.active) return;
    this.pg.workers?.resetRewardModel();
    this.onNewBase();
  }

  onNewBase(): void {
    this.run.reset();
    this.ready = false;
    this.heldout = null;
    this.crossValidated = null;
  }
}
