// The postMessage protocol between an embedded playground and its host page
// (documented in docs/embed.md). Every message carries `protocol`, so other
// traffic on the window is ignored; commands are checked field by field
// against the schema below and anything else is refused with a reason.
import { RUN_NAMES, type RunName } from '../persistence/session-store';
import { STAGES, type StageId } from '../stages/stages';

export const PROTOCOL = 'rlhf-playground/embed-v1';

/** SFT, the reward model, or an optimiser: 'ppo', 'rrhf', 'dpo', 'grpo'. */
export type RunTarget = RunName;
const RUN_TARGETS: readonly RunTarget[] = RUN_NAMES;
const STAGE_IDS: readonly StageId[] = STAGES.map((s) => s.id);

/** Host → playground. */
export type Command =
  | { type: 'setStage'; stage: StageId }
  | { type: 'play'; run?: RunTarget }
  | { type: 'pause'; run?: RunTarget }
  | { type: 'step'; run?: RunTarget }
  | { type: 'stop'; run?: RunTarget }
  | { type: 'loadPreset'; preset: string }
  | { type: 'getState' }
  | { type: 'setMetricsEvery'; every: number };

export type CommandType = Command['type'];

type FieldCheck = (v: unknown) => string | null;

const oneOf =
  (options: readonly string[]): FieldCheck =>
  (v) =>
    typeof v === 'string' && options.includes(v) ? null : `must be one of ${options.join(', ')}`;
const presetId: FieldCheck = (v) =>
  typeof v === 'string' && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(v) && v.length <= 64
    ? null
    : 'must be a preset id (lower-case words joined by hyphens)';
const count: FieldCheck = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100_000
    ? null
    : 'must be a whole number from 1 to 100000';

/** Per command: its fields, each required unless marked optional. */
const SCHEMA: Record<CommandType, Record<string, { check: FieldCheck; optional?: boolean }>> = {
  setStage: { stage: { check: oneOf(STAGE_IDS) } },
  play: { run: { check: oneOf(RUN_TARGETS), optional: true } },
  pause: { run: { check: oneOf(RUN_TARGETS), optional: true } },
  step: { run: { check: oneOf(RUN_TARGETS), optional: true } },
  stop: { run: { check: oneOf(RUN_TARGETS), optional: true } },
  loadPreset: { preset: { check: presetId } },
  getState: {},
  setMetricsEvery: { every: { check: count } },
};

export const COMMAND_TYPES = Object.keys(SCHEMA) as CommandType[];

/** The envelope's own fields. */
const ENVELOPE = ['protocol', 'type', 'id'];

export type Checked =
  | { ok: true; command: Command; id: string | number | null }
  | { ok: false; problem: string; id: string | number | null }
  /** Not for us (no protocol field): ignored without a reply. */
  | { ok: false; problem: null; id: null };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Checks a message's data against the schema. Never throws. */
export function checkCommand(data: unknown): Checked {
  if (!isRecord(data) || data.protocol !== PROTOCOL) return { ok: false, problem: null, id: null };
  const rawId = data.id;
  const idOk =
    rawId === undefined ||
    (typeof rawId === 'string' && rawId.length <= 64) ||
    (typeof rawId === 'number' && Number.isSafeInteger(rawId));
  const id = idOk && rawId !== undefined ? (rawId as string | number) : null;
  if (!idOk) return { ok: false, problem: 'id must be a string (≤ 64) or an integer', id: null };
  const type = data.type;
  if (typeof type !== 'string' || !COMMAND_TYPES.includes(type as CommandType)) {
    return { ok: false, problem: `type must be one of ${COMMAND_TYPES.join(', ')}`, id };
  }
  const fields = SCHEMA[type as CommandType];
  for (const key of Object.keys(data)) {
    // Own fields only: `in` would also find toString, valueOf, __proto__… on the prototype.
    if (!ENVELOPE.includes(key) && !Object.hasOwn(fields, key)) {
      return { ok: false, problem: `${type} takes no field “${key.slice(0, 32)}”`, id };
    }
  }
  for (const [name, f] of Object.entries(fields)) {
    if (data[name] === undefined) {
      if (!f.optional) return { ok: false, problem: `${type} needs “${name}”`, id };
      continue;
    }
    const problem = f.check(data[name]);
    if (problem) return { ok: false, problem: `${type}.${name} ${problem}`, id };
  }
  const command = { type, ...Object.fromEntries(Object.keys(fields).map((k) => [k, data[k]])) };
  for (const k of Object.keys(command)) {
    if ((command as Record<string, unknown>)[k] === undefined)
      delete (command as Record<string, unknown>)[k];
  }
  return { ok: true, command: command as Command, id };
}

/** Playground → host. */
export type PlaygroundEvent =
  | { type: 'ready'; stage: StageId; stages: StageId[]; preset: string; presets: string[] }
  | { type: 'stageChanged'; stage: StageId }
  | { type: 'presetChanged'; preset: string }
  | { type: 'runState'; run: RunTarget; status: string; step: number; total: number }
  | { type: 'metrics'; run: RunTarget; step: number; metrics: Record<string, number> }
  | { type: 'visibility'; visible: boolean; paused: RunTarget[]; resumed: RunTarget[] }
  | { type: 'reply'; id: string | number | null; ok: boolean; error?: string; state?: unknown };

export function envelope(e: PlaygroundEvent): PlaygroundEvent & { protocol: typeof PROTOCOL } {
  return { protocol: PROTOCOL, ...e };
}
