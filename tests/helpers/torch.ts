// PyTorch for the tests of scripts/*.py: Debian's python3-torch at
// /usr/bin/python3 (the default python3 may be one without it), or
// TORCH_PYTHON. Where it is missing a test says so and skips, unless
// REQUIRE_TORCH=1 is set (as .ci/run does), where it fails: a broken install
// must not pass for a skipped test.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect, type TestContext } from 'vitest';

export const TORCH_PYTHON = process.env.TORCH_PYTHON ?? '/usr/bin/python3';

let cached: string | null | undefined;

/** Why PyTorch cannot run here, or null when it can. */
export function torchMissing(): string | null {
  if (cached !== undefined) return cached;
  if (!existsSync(TORCH_PYTHON)) {
    cached = `${TORCH_PYTHON} does not exist (set TORCH_PYTHON)`;
  } else {
    const r = spawnSync(TORCH_PYTHON, ['-c', 'import torch'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    cached =
      r.status === 0
        ? null
        : `PyTorch is not importable by ${TORCH_PYTHON} (Debian: apt-get install python3-torch)`;
  }
  return cached;
}

/** Skips the test with the reason PyTorch cannot run, or, with REQUIRE_TORCH=1, fails it. */
export function needTorch(ctx: TestContext): void {
  const missing = torchMissing();
  if (!missing) return;
  if (process.env.REQUIRE_TORCH === '1') expect.fail(`REQUIRE_TORCH=1 but ${missing}`);
  ctx.skip(missing);
}
