// Export and import in a real Chromium: every export downloads in its
// format (TRL preferences, rankings, demonstrations, metrics, weights with a
// config.json, the whole session); a session exported and imported into
// another comes back the same (lossless round trip); a malformed file is
// refused as a whole with its lines named, or its valid rows imported and
// the rest listed; imported text only ever shows as text; sessions delete.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Download, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readCheckpointHeader } from '../../src/lib/persistence/checkpoint-meta';
import { RESULTS_DIR, useBrowser } from './harness';

const { openApp } = useBrowser();

const LONG = 120_000;

interface Got {
  name: string;
  bytes: Buffer;
  text: string;
}

async function got(d: Download): Promise<Got> {
  const bytes = readFileSync(await d.path());
  return { name: d.suggestedFilename(), bytes, text: bytes.toString('utf8') };
}

async function download(page: Page, testid: string, count = 1): Promise<Got[]> {
  const seen: Download[] = [];
  const on = (d: Download) => seen.push(d);
  page.on('download', on);
  await page.click(`[data-testid=${testid}]`);
  await expect.poll(() => seen.length, { timeout: LONG }).toBe(count);
  page.off('download', on);
  return Promise.all(seen.map(got));
}

async function importFile(page: Page, name: string, body: string): Promise<void> {
  await page.setInputFiles('[data-testid=import-file]', {
    name,
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(body),
  });
  await page.click('[data-testid=import-run]');
  await page.locator('[data-testid=import-result]').waitFor({ timeout: LONG });
}

const lines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const rankings = (page: Page) =>
  page.getAttribute('[data-testid=comparison-count]', 'data-rankings').then(Number);

/** A session file without what differs by nature between two copies (names, times). */
function comparable(text: string) {
  const f = JSON.parse(text) as Record<string, unknown> & {
    session: Record<string, unknown>;
    rankings: Record<string, unknown>[];
    demonstrations: Record<string, unknown>[];
  };
  const { name: _n, createdAt: _c, updatedAt: _u, ...session } = f.session;
  return {
    session,
    rankings: f.rankings,
    demonstrations: f.demonstrations,
    metrics: f.metrics,
    checkpoints: f.checkpoints,
  };
}

describe('export and import', () => {
  it('exports every format, round-trips a session losslessly, refuses bad files cleanly', async () => {
    const settings =
      'stage=demonstrate&sample.k=3&sample.maxNewTokens=6&sft.steps=2&sft.batchSize=4';
    const { page } = await openApp(`?backend=wasm&model=tiny#${settings}`);
    await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    await page.click('button[aria-label="Train SFT"]');
    await page.locator('[data-testid=run-sft][data-status=done]').waitFor({ timeout: LONG });
    await page.click('[data-testid=nav-rank]');
    await page.getByRole('button', { name: 'Let it rank 5 prompts' }).click();
    await page.locator('[data-testid=comparison-count][data-rankings="5"]').waitFor({
      timeout: LONG,
    });
    const comparisons = Number(
      await page.getAttribute('[data-testid=comparison-count]', 'data-comparisons'),
    );

    // Every export, in its format.
    await page.click('[data-testid=transfer]');
    const [ranked] = await download(page, 'export-rankings');
    expect(ranked.name).toBe('rlhf-happy-endings-rankings.jsonl');
    const rows = lines(ranked.text);
    expect(rows).toHaveLength(5);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(['prompt', 'completions', 'ranks']);
      expect((r.completions as string[]).length).toBe(3);
    }
    const [prefs] = await download(page, 'export-preferences');
    const pairs = lines(prefs.text);
    expect(pairs).toHaveLength(comparisons);
    for (const p of pairs) expect(Object.keys(p)).toEqual(['prompt', 'chosen', 'rejected']);
    const [demos] = await download(page, 'export-demonstrations');
    expect(lines(demos.text).every((d) => 'prompt' in d && 'completion' in d)).toBe(true);
    const [csv] = await download(page, 'export-metrics');
    expect(csv.text).toMatch(/^run,metric,step,value\nsft,sft\/loss,1,\d/);
    await page.selectOption('#weights-choice', 'sft');
    const [weights, config] = await download(page, 'export-weights', 2);
    expect(weights.name).toBe('rlhf-happy-endings-sft.safetensors');
    expect(config.name).toBe('rlhf-happy-endings-sft.config.json');
    const meta = readCheckpointHeader(new Uint8Array(weights.bytes));
    const cfg = JSON.parse(config.text) as Record<string, unknown>;
    expect(cfg).toMatchObject({
      n_layer: meta.config.nLayer,
      n_embd: meta.config.nEmbd,
      bias: true,
    });
    expect((cfg.tokenizer as { chars: string[] }).chars).toEqual(meta.chars);
    expect(meta.tensors['transformer.h.0.attn.c_attn.weight']).toEqual([
      3 * meta.config.nEmbd,
      meta.config.nEmbd,
    ]); // PyTorch's (out, in)
    const [session] = await download(page, 'export-session');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'transfer--dialog.png') });

    // A malformed file is refused as a whole, naming each line and its problem.
    const good = JSON.stringify(rows[0]);
    const bad = [
      JSON.stringify({ ...rows[1], prompt: 'A new prompt\n' }),
      '{"prompt": "broken',
      JSON.stringify({ prompt: 'p', completions: 'a,b', ranks: [0, 1] }),
      JSON.stringify({ prompt: 'p', completions: ['cost €5', 'b'], ranks: [0, 1] }),
      JSON.stringify({
        prompt: 'p',
        completions: ['<img src=x onerror=window.__pwned=1>', 'b'],
        ranks: [1, 0],
      }),
      good,
    ].join('\n');
    await importFile(page, 'bad.jsonl', bad);
    const result = page.locator('[data-testid=import-result]');
    expect(await result.getAttribute('data-ok')).toBe('false');
    expect(await result.textContent()).toMatch(/^Nothing was imported\. line 2: not valid JSON/);
    expect(await result.textContent()).toContain(
      'line 3: “completions” must be an array of strings, not string',
    );
    expect(await result.textContent()).toMatch(
      /line 4: “completions\[0\]” has characters outside the model's vocabulary: “€”/,
    );
    // Or the valid rows, and the rejected ones listed (the duplicate of a stored one is skipped).
    await page.click('[data-testid=import-lenient]');
    await page.click('[data-testid=import-run]');
    await expect.poll(() => result.getAttribute('data-ok')).toBe('true');
    expect(await result.locator('p').textContent()).toMatch(
      /^Imported 1 ranking \(rankings\); 1 was already here; [34] lines were rejected:/,
    );
    expect(await result.locator('li').first().textContent()).toMatch(/^line 2: not valid JSON/);
    expect(await page.locator('dialog img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    // An oversized file is refused by its size, before it is read.
    await page.selectOption('[data-testid=import-kind]', 'rankings');
    await importFile(page, 'huge.jsonl', 'x'.repeat(21 * 1024 * 1024));
    await expect
      .poll(() => result.locator('p').textContent())
      .toBe('The file is 21.0 MB; the limit is 20.0 MB.');
    await page.selectOption('[data-testid=import-kind]', 'auto');
    await page.keyboard.press('Escape');
    expect(await rankings(page)).toBe(6);

    // A new session; the saved session file comes back into it as a session of its own.
    await page.click('[data-testid=sessions]');
    await page.getByRole('button', { name: 'New session' }).click();
    await page
      .locator('[data-testid=sessions]', { hasText: 'Session 2' })
      .waitFor({ timeout: LONG });
    await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    await page.click('[data-testid=nav-rank]');
    expect(await rankings(page)).toBe(0);
    await page.click('[data-testid=transfer]');
    // Rankings JSONL into this session: added once, never twice.
    await importFile(page, 'rankings.jsonl', ranked.text);
    await expect.poll(() => result.textContent()).toMatch(/^Imported 5 rankings \(rankings\)\./);
    await importFile(page, 'rankings.jsonl', ranked.text);
    await expect
      .poll(() => result.textContent())
      .toMatch(/^Imported 0 rankings .*5 were already here/);
    await importFile(page, 'session.json', session.text);
    await expect
      .poll(() => result.textContent())
      .toMatch(/^Imported as a new session, “Session 1 \(imported\)”\./);
    await result.getByRole('button', { name: 'Open it' }).click();
    await page
      .locator('[data-testid=sessions]', { hasText: 'Session 1 (imported)' })
      .waitFor({ timeout: LONG });
    await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    await page
      .locator('[data-testid=comparison-count][data-rankings="5"]')
      .waitFor({ timeout: LONG });
    await page.click('[data-testid=transfer]');
    const [again] = await download(page, 'export-session');
    expect(comparable(again.text)).toEqual(comparable(session.text));
    const [rankedAgain] = await download(page, 'export-rankings');
    expect(rankedAgain.text).toBe(ranked.text);
    await page.keyboard.press('Escape');

    // A session file's name is shown as text; a session deletes with all it holds.
    const hostile = JSON.parse(session.text) as { session: { name: string } };
    hostile.session.name = '<img src=x onerror="window.__pwned=1">';
    await page.click('[data-testid=transfer]');
    await importFile(page, 'hostile.json', JSON.stringify(hostile));
    await expect
      .poll(() => result.textContent())
      .toMatch(/^Imported as a new session, “<img src=x onerror="window.__pwned=1">”/);
    await page.keyboard.press('Escape');
    await page.click('[data-testid=sessions]');
    const row = page.locator('[data-testid=session-row]', { hasText: '<img src=x' });
    await row.waitFor();
    expect(await page.locator('dialog img').count()).toBe(0);
    expect(await page.locator('[data-testid=session-row]').count()).toBe(4);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'transfer--sessions.png') });
    await row.getByRole('button', { name: 'Delete…' }).click();
    await row.locator('[data-testid=confirm-delete]').click();
    await expect.poll(() => page.locator('[data-testid=session-row]').count()).toBe(3);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('re-imports its own demonstrations export when they hold characters the model cannot write', async () => {
    const { page } = await openApp('?backend=wasm&model=micro#preset=happy-endings');
    await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    const demos = [
      { prompt: 'Write a story about a cat.', completion: 'The cat ate 中文 noodles and smiled.' },
      { prompt: 'Write a story about a dog.', completion: 'The dog saw a 🐶 <b>bold</b> dog.' },
    ];
    await page.click('[data-testid=transfer]');
    await importFile(page, 'mine.jsonl', demos.map((d) => JSON.stringify(d)).join('\n'));
    const result = page.locator('[data-testid=import-result]');
    expect(await result.getAttribute('data-ok')).toBe('true');
    // Kept as written, and the characters the model has never seen are named.
    const notice = page.locator('[data-testid=notice]', { hasText: 'cannot write them' });
    await notice.waitFor({ timeout: LONG });
    for (const c of ['中', '文', '🐶', '<']) expect(await notice.textContent()).toContain(c);
    // The export holds them as written, and imports again (as duplicates: nothing added twice).
    const [exported] = await download(page, 'export-demonstrations');
    // (The page writes a prompt as the model reads it: with its closing newline.)
    const back = lines(exported.text)
      .slice(-2)
      .map((d) => ({ prompt: String(d.prompt).trim(), completion: d.completion }));
    expect(back).toEqual(demos);
    await importFile(page, exported.name, exported.text);
    expect(await result.getAttribute('data-ok')).toBe('true');
    expect(await result.textContent()).not.toMatch(/Nothing was imported/);
    await page.screenshot({
      path: path.join(RESULTS_DIR, 'transfer--unwritable.png'),
      fullPage: true,
    });
  });
});
