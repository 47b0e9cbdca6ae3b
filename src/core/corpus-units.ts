/**
 * The units a text is checked against its corpus with: lower-case words in
 * English, character bigrams in Chinese (which has no spaces). A model that
 * writes mostly corpus units writes real words rather than garble.
 */
export function corpusUnits(text: string, lang: 'en' | 'zh'): string[] {
  if (lang === 'en') return text.toLowerCase().match(/[a-z']+/g) ?? [];
  const chars = Array.from(text.replace(/[^\u4e00-\u9fff]/g, ''));
  return chars.slice(1).map((c, i) => chars[i] + c);
}
