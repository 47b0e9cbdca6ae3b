// Errors that cross a worker boundary with their type intact. Comlink's default
// 'throw' handler keeps only name, message and stack, so an ArgumentError's
// `argument` or a NonFiniteError's `metric` would be lost on the way to the
// page. This module replaces that handler; every realm that talks comlink (the
// page and both workers) installs it. It imports comlink only, so the page may
// load it without pulling in tfjs.
import { transferHandlers, type TransferHandler } from 'comlink';

/** Fields an error keeps across the boundary (besides name, message and stack). */
const EXTRA_FIELDS = ['argument', 'metric', 'backend', 'kind'] as const;

interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  argument?: string;
  metric?: string;
  backend?: string;
  kind?: string;
}

type Serialized = { isError: true; value: SerializedError } | { isError: false; value: unknown };

/** An error rebuilt on this side of a worker boundary; `name` is the original class name. */
export class RemoteError extends Error {
  readonly argument?: string;
  readonly metric?: string;
  readonly backend?: string;
  readonly kind?: string;
  constructor(e: SerializedError) {
    super(e.message);
    this.name = e.name;
    if (e.stack) this.stack = e.stack;
    for (const f of EXTRA_FIELDS) if (typeof e[f] === 'string') Object.assign(this, { [f]: e[f] });
  }
}

export function serializeError(e: Error): SerializedError {
  const out: SerializedError = { name: e.name, message: e.message, stack: e.stack };
  const rec = e as unknown as Record<string, unknown>;
  for (const f of EXTRA_FIELDS) if (typeof rec[f] === 'string') out[f] = rec[f] as string;
  return out;
}

let installed = false;

/** Replaces comlink's 'throw' handler in this realm (idempotent). */
export function installErrorTransfer(): void {
  if (installed) return;
  const base = transferHandlers.get('throw');
  if (!base) throw new Error("comlink has no 'throw' transfer handler to replace");
  const handler: TransferHandler<{ value: unknown }, Serialized> = {
    // The marker comlink puts on thrown values is private; reuse its test.
    canHandle: (v): v is { value: unknown } => base.canHandle(v),
    serialize({ value }) {
      const s: Serialized =
        value instanceof Error
          ? { isError: true, value: serializeError(value) }
          : { isError: false, value };
      return [s, []];
    },
    deserialize(s) {
      throw s.isError ? new RemoteError(s.value) : s.value;
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
  installed = true;
}
