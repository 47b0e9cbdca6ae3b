// Saving a file the page made (CSV of a curve, PNG of a chart) without a server.

export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has handed the URL to the download; free it on the next turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A file name from a chart title: "PPO · reward" → "ppo-reward". */
export function fileStem(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'chart'
  );
}
