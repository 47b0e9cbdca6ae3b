/**
 * A tiny template language for story sentences.
 *
 *   `[a|b|c]`  one alternative, chosen at random (an empty one is allowed: `[very |]`)
 *   `{slot}`   filled from the story's cast, left to right
 *
 * The template with its alternatives chosen but its slots unfilled is the sentence's
 * *shape*; the manifest counts distinct shapes to show how varied the corpus is
 * beyond its word lists.
 */
import { pick, type Rng } from './prng';

const CHOICE = /\[([^\]]*)\]/g;
const SLOT = /\{(\w+)\}/g;

export interface Expanded {
  text: string;
  shape: string;
}

export function expand(template: string, rng: Rng, fill: (slot: string) => string): Expanded {
  const shape = template.replace(CHOICE, (_, options: string) => pick(rng, options.split('|')));
  const text = shape.replace(SLOT, (_, slot: string) => fill(slot));
  // Alternatives do not nest; a stray bracket means a template is malformed.
  if (/[[\]{}|]/.test(text)) throw new Error(`malformed template: ${template}`);
  return { text, shape };
}

/** Every slot name a template uses (for checking templates against a pack's fillers). */
export function slotsOf(template: string): string[] {
  return [...template.matchAll(SLOT)].map((m) => m[1]);
}
