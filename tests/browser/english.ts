// Finding English on a page shown in Chinese: runs of three or more English
// words in the visible text. Names the page keeps in every language (model and
// method names, units, the corpus's own words in samples) are not sentences.
import type { Page } from 'playwright-core';

/** Visible text of the page (or of `selector`), with form values, minus samples. */
async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const skip = (el: Element) => el.closest('[data-sample-text], code, kbd, pre') !== null;
    const parts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || skip(el)) continue;
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      parts.push(n.textContent ?? '');
    }
    for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
      for (const a of ['title', 'aria-label', 'placeholder']) parts.push(el.getAttribute(a) ?? '');
    }
    return parts.join('\n');
  });
}

/** English word runs (three words or more) in the page's visible text. */
export async function englishRuns(page: Page): Promise<string[]> {
  // Everything a person can unfold counts: open every disclosure first.
  await page.evaluate(() => {
    for (const d of document.querySelectorAll('details')) d.open = true;
  });
  // Commands are names, not sentences: `npm run lessons` reads the same in every language.
  const text = (await visibleText(page)).replace(/\bnpm run [\w:-]+/g, '');
  const runs = text.match(/[A-Za-z][A-Za-z'’-]*(?:[ ,.:]+[A-Za-z][A-Za-z'’-]*){2,}/g) ?? [];
  return [...new Set(runs)];
}
