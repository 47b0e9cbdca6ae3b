// The session file format's name and size limit, and which version of the
// format a file is, read without the rest of the file: the automatic import
// must recognise a session written by a newer playground as a session (and say
// so), not read it as JSONL.

export const SESSION_FORMAT = 'rlhf-playground/session-v1';
/** Checkpoints make sessions large (a nano model is ~3 MB, in base64 ~4 MB each). */
export const SESSION_MAX_BYTES = 256 * 1024 * 1024;

/** The version a session file format names ("rlhf-playground/session-v3" → 3), or null. */
export function sessionFormatVersion(format: string): number | null {
  const m = /^rlhf-playground\/session-v(\d+)$/.exec(format);
  return m ? Number(m[1]) : null;
}

/** The format a session file names, when it is one of ours (any version). */
function sessionFormatOf(text: string): string | null {
  if (!/^\s*\{/.test(text)) return null;
  // The format is the file's first key; a large file need not be parsed to find it.
  const head = /^\s*\{\s*"format"\s*:\s*"(rlhf-playground\/session-v\d+)"/.exec(text.slice(0, 200));
  if (head) return head[1];
  try {
    const v = JSON.parse(text) as { format?: unknown } | null;
    const f = v?.format;
    return typeof f === 'string' && sessionFormatVersion(f) !== null ? f : null;
  } catch {
    return null;
  }
}

/** Whether a file's text is a session file of any version (the automatic import's test). */
export function isSessionLike(text: string): boolean {
  return sessionFormatOf(text) !== null;
}

/** The format of a session file written by a newer version of the playground, or null. */
export function newerSessionFormat(text: string): string | null {
  const f = sessionFormatOf(text);
  return f && sessionFormatVersion(f)! > sessionFormatVersion(SESSION_FORMAT)! ? f : null;
}

/** Whether a file's text is a session file (one JSON object with our format) rather than JSONL. */
export function isSessionText(text: string): boolean {
  if (!/^\s*\{/.test(text)) return false;
  try {
    const v = JSON.parse(text) as { format?: unknown };
    return typeof v === 'object' && v !== null && v.format === SESSION_FORMAT;
  } catch {
    return false;
  }
}
