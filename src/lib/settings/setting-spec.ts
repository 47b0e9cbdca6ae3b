// The shape of one setting in the settings table (settings.ts assembles the
// table from table-sft-rm.ts, table-optimise.ts and table-methods.ts): its kind, range or
// options, default and where that default comes from, and whether a running
// loop takes it.

export type SettingGroup =
  'sampling' | 'sft' | 'rm' | 'ppo' | 'rrhf' | 'dpo' | 'grpo' | 'classroom';

interface Common {
  label: string;
  group: SettingGroup;
  help: string;
  /** Where the default comes from. */
  source: string;
  /** Set while the workers do not apply this setting yet: shown, and the control is disabled. */
  pending?: string;
  /**
   * A running (or paused) loop of `run` takes this setting between steps, as
   * its trainer's `field`; any other setting applies from the next run.
   */
  live?: { run: LiveRun; field: string };
}

/** The training runs whose loops take settings while they run. */
export type LiveRun = 'sft' | 'rm' | 'ppo' | 'rrhf' | 'dpo' | 'grpo';

export interface NumberSpec extends Common {
  kind: 'number' | 'int';
  default: number;
  min: number;
  max: number;
  /** Excludes `min` itself (e.g. top-p > 0). */
  minExclusive?: boolean;
  step?: number;
}

export interface ChoiceSpec extends Common {
  kind: 'choice';
  default: string;
  options: readonly { value: string; label: string }[];
}

export type SettingSpec = NumberSpec | ChoiceSpec;
