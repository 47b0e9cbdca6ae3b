// Driving the playground from the example host page (public/embed-example.html)
// in a browser test: the URL of the host page with the app in its iframe, the
// events the host has heard, and commands sent through postMessage.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const LONG = 120_000;

export interface EmbedEvent {
  type: string;
  [k: string]: unknown;
}

/** The host page on `origins.second`, embedding the app from `origins.app`. */
export function hostUrl(
  origins: { app: string; second: string | null },
  params: string,
  hash: string,
): string {
  const q = new URLSearchParams({ playground: origins.app, params, hash });
  return `${origins.second}embed-example.html?${q}`;
}

/** Every event the host page has heard from the playground, in order. */
export const events = (page: Page): Promise<EmbedEvent[]> =>
  page.evaluate(() => (window as unknown as { events: EmbedEvent[] }).events);

/** The first event (from index `after` on) that `pred` accepts, once it arrives. */
export async function waitEvent(
  page: Page,
  pred: (e: EmbedEvent) => boolean,
  after = 0,
): Promise<EmbedEvent> {
  let hit: EmbedEvent | undefined;
  await expect
    .poll(
      async () => {
        hit = (await events(page)).slice(after).find(pred);
        return Boolean(hit);
      },
      { timeout: LONG, interval: 100 },
    )
    .toBe(true);
  return hit!;
}

/** Sends a command from the host page and waits for its reply. */
export async function command(
  page: Page,
  type: string,
  fields: Record<string, unknown> = {},
): Promise<EmbedEvent> {
  const id = await page.evaluate(
    ([t, f]) => (window as unknown as { send: (t: string, f: object) => number }).send(t, f),
    [type, fields] as const,
  );
  return waitEvent(page, (e) => e.type === 'reply' && e.id === id);
}
