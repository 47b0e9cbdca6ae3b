// Fills {name} parameters into a message. Plain TypeScript (no runes), so code
// that also runs outside Svelte, in Node tests, can format messages too.
export function fill(message: string, params?: Record<string, string | number>): string {
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
