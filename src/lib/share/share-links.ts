// The links the Share and Embed buttons make: a share link (the page's
// address without its query or hash, plus the state as a hash), the address
// an iframe opens (`?embed=1`), and the iframe snippet a blog author pastes.
import type { StageId } from '../stages/stages';
import type { PlaygroundState } from '../state.svelte';
import type { Hideable, ShareState } from './url-params';
import { encodeUrlState } from './url-state';

/** The playground's own address: no query, no hash. */
export function baseAddress(href: string): string {
  const u = new URL(href);
  return `${u.origin}${u.pathname}`;
}

export function shareLink(href: string, s: ShareState): string {
  return `${baseAddress(href)}#${encodeUrlState(s)}`;
}

export interface EmbedOptions {
  /** Stages the compact layout offers; the first of them opens unless `s.stage` is among them. */
  stages: StageId[];
  /** Only this origin may drive the playground (recommended: the blog's origin). */
  hostOrigin?: string;
  metricsEvery?: number;
}

export function embedAddress(href: string, s: ShareState, o: EmbedOptions): string {
  const q = new URLSearchParams({ embed: '1' });
  if (o.hostOrigin) q.set('hostOrigin', o.hostOrigin);
  if (o.metricsEvery && o.metricsEvery !== 1) q.set('metricsEvery', String(o.metricsEvery));
  const stages = o.stages.length > 0 ? o.stages : [s.stage];
  const stage = stages.includes(s.stage) ? s.stage : stages[0];
  if (stages.length > 1) q.set('stages', stages.join(','));
  const query = q.toString().replace(/%2C/g, ',');
  return `${baseAddress(href)}?${query}#${encodeUrlState({ ...s, stage })}`;
}

const escapeAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The HTML a host page pastes. */
export function embedSnippet(src: string, height = 640): string {
  return (
    `<iframe src="${escapeAttr(src)}" title="RLHF Playground" width="100%" height="${height}" ` +
    `style="border:0" loading="lazy" allow="clipboard-write"></iframe>`
  );
}

/** The full playground an embed links to: its address without the embed-only keys. */
export function fullPlaygroundLink(href: string): string {
  const u = new URL(href);
  for (const k of ['embed', 'stages', 'hostOrigin', 'metricsEvery']) u.searchParams.delete(k);
  return u.href;
}

/** What a share link from the page as it is now carries. */
export function shareStateOf(
  pg: PlaygroundState,
  hide: readonly Hideable[] = pg.view.hide,
): ShareState {
  return {
    preset: pg.presetId,
    stage: pg.stage,
    seed: pg.seed,
    settings: { ...pg.settings },
    lang: pg.view.lang ?? undefined,
    theme: pg.view.theme,
    backend: pg.backendParam,
    model: pg.modelChoice,
    optimise: pg.optimise.mode,
    hide,
  };
}

/** Copies text; false when the browser refuses (the dialog then says to copy by hand). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
