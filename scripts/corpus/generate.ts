/**
 * `npm run corpus`: writes the story corpora to public/corpus/{en,zh}/ and the
 * presets to public/presets/. Deterministic: the same seed gives byte-identical
 * files (manifest.json records the sha256 of each).
 *
 *   npm run corpus                 # the shipped corpus
 *   npm run corpus -- --seed 7     # another seed, same sizes
 *   npm run corpus -- --out /tmp/x # somewhere else
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { buildShipped, SHIPPED_OPTIONS } from './shipped';

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Presets are checked by `prettier --check`, so they are written the way it formats them. */
async function writeJson(file: string, value: unknown): Promise<void> {
  const config = (await resolveConfig(file)) ?? {};
  await writeFile(file, await format(JSON.stringify(value), { ...config, filepath: file }));
}

async function main(): Promise<void> {
  const out = path.resolve(argument('out') ?? 'public');
  const seed = Number(argument('seed') ?? SHIPPED_OPTIONS.en.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be an integer ≥ 0`);
  const build = buildShipped({
    en: { ...SHIPPED_OPTIONS.en, seed },
    zh: { ...SHIPPED_OPTIONS.zh, seed },
  });

  for (const corpus of Object.values(build.corpora)) {
    const dir = path.join(out, 'corpus', corpus.language);
    await mkdir(dir, { recursive: true });
    for (const [name, text] of Object.entries(corpus.files)) {
      await writeFile(path.join(dir, name), text);
    }
    await writeFile(
      path.join(dir, 'manifest.json'),
      JSON.stringify(corpus.manifest, null, 2) + '\n',
    );
    const m = corpus.manifest;
    console.log(
      `${dir}: ${m.counts.trainStories}+${m.counts.heldoutStories} stories, ` +
        `${m.counts.sftTrain}+${m.counts.sftHeldout} instructions, ` +
        `${m.files['train.txt'].bytes} bytes of training text, ${m.distinctChars} distinct characters, ` +
        `${m.distinctSentenceShapes} sentence shapes`,
    );
  }

  const presetDir = path.join(out, 'presets');
  await mkdir(presetDir, { recursive: true });
  for (const preset of build.presets)
    await writeJson(path.join(presetDir, `${preset.id}.json`), preset);
  await writeJson(path.join(presetDir, 'index.json'), build.index);
  console.log(`${presetDir}: ${build.presets.map((p) => p.id).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
