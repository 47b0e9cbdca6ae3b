/**
 * `npm run lessons`: measures whether the default lesson shows, seed by seed.
 *
 *   npm run lessons -- --preset happy-endings --seeds 1,2,3,4,5 [--json out.json]
 *                      [--rankings 10] [--noise 0.2] [--md docs/lessons.md]
 *                      [--methods dpo,grpo,bon | none]   (beside PPO and RRHF; all by default)
 *                      [--backend webgpu]   (in Node only through bench/gpu/lesson-webgpu.ts)
 *                      [--gold-reward 4]   (the gold labeler's score × 4 as the reward: a perfect reward model)
 *
 * `--preset all` runs every preset of public/presets/index.json. Prints one
 * line per seed and the medians; `--json` writes the per-seed values for other
 * tools, `--md` (re)writes that preset's section of the generated report.
 * `--merge a.json,b.json` makes one preset's section from seeds measured apart;
 * `--summary docs/lessons` the report's first table, every preset in a row.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  SETTINGS,
  parseValue,
  type SettingKey,
  type Settings,
} from '../../src/lib/settings/settings';
import { METHODS, runLesson, type LessonResult, type Method } from './lesson';
import { ROOT, argument, lessonBackend, lessonMsPerStep, readPreset } from './pipeline';
import { renderPresetSection, renderSummary, updateReport, updateSummary } from './report';
import { fromSaved, readSaved } from './saved';

const presetArg = argument('preset', 'happy-endings');
const seeds = argument('seeds', '1,2,3,4,5')
  .split(',')
  .map((x) => Number(x.trim()))
  .filter((x) => Number.isInteger(x));
const rankings = Number(argument('rankings', '10'));
const noise = Number(argument('noise', '0.2'));
const jsonOut = argument('json', '');
const mdOut = argument('md', '');
// --set key=value,key=value: what-if runs against other settings (named in the report).
const overrides: Partial<Settings> = {};
for (const pair of argument('set', '').split(',').filter(Boolean)) {
  const [key, raw] = pair.split('=');
  const parsed = key in SETTINGS ? parseValue(key as SettingKey, raw ?? '') : null;
  if (!parsed?.ok) {
    console.error(`--set ${pair}: ${parsed ? parsed.problem : 'unknown setting'}`);
    process.exit(2);
  }
  (overrides as Record<string, number | string>)[key] = parsed.value;
}
// --gold-reward SCALE: the optimisers rewarded by the gold labeler's score times SCALE, in place
// of the reward model (a perfect reward model: is it the reward or the policy that stops a lesson?).
const goldRewardArg = argument('gold-reward', '');
const goldReward = goldRewardArg === '' ? undefined : Number(goldRewardArg);
if (goldReward !== undefined && !(goldReward > 0)) {
  console.error(`--gold-reward ${goldRewardArg}: expected a positive scale, e.g. 4`);
  process.exit(2);
}
// --methods dpo,grpo,bon (the default) or a part of it, or none: what is measured beside PPO and RRHF.
const methodsArg = argument('methods', '');
const methods = methodsArg === 'none' ? [] : methodsArg.split(',').filter(Boolean);
const unknownMethod = methods.find((m) => !(METHODS as readonly string[]).includes(m));
if (unknownMethod) {
  console.error(`--methods ${methodsArg}: expected none or some of ${METHODS.join(', ')}`);
  process.exit(2);
}
if (seeds.length === 0 || !(rankings >= 2) || !(noise >= 0)) {
  console.error(
    'usage: npm run lessons -- --preset NAME --seeds 1,2,3 [--rankings 10] [--noise 0.2] [--json out.json] [--md docs/lessons.md]',
  );
  process.exit(2);
}

// --summary DIR: the report's first table, every preset's row, from the `--json` files in DIR
// (docs/lessons holds one per preset), in the page's order of presets.
const summary = argument('summary', '');
if (summary) {
  const order = presetIds();
  const lessons = readdirSync(summary)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => readSaved(path.join(summary, f)))
    .map((p) => ({
      preset: readPreset(p.preset),
      rs: p.seeds.map(fromSaved).sort((a, b) => a.seed - b.seed),
    }))
    .sort((a, b) => order.indexOf(a.preset.id) - order.indexOf(b.preset.id));
  const section = renderSummary(lessons);
  console.log(section);
  if (mdOut) updateSummary(path.resolve(mdOut), section);
  process.exit(0);
}

// --merge a.json,b.json: one report from seeds measured in separate processes (run side by
// side on more cores), with every command that measured them.
const merge = argument('merge', '');
if (merge) {
  const files = merge.split(',').flatMap(readSaved);
  const preset = readPreset(files[0].preset);
  if (files.some((f) => f.preset !== preset.id)) {
    console.error('--merge: the files measure different presets');
    process.exit(2);
  }
  const results = files.flatMap((f) => f.seeds.map(fromSaved)).sort((a, b) => a.seed - b.seed);
  const command = files.map((f) => f.command).join('` and `');
  const section = renderPresetSection(preset, command, results);
  console.log(section);
  if (mdOut) updateReport(path.resolve(mdOut), preset.id, section);
  process.exit(0);
}

const backend = await lessonBackend();
console.log(`backend: ${backend}`);
const wasmMsPerStep = await lessonMsPerStep();

const ids = presetArg === 'all' ? presetIds() : presetArg.split(',');

const all: { preset: string; command: string; seeds: LessonResult[] }[] = [];
for (const id of ids) {
  const preset = readPreset(id);
  const results: LessonResult[] = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    console.log(`\n== ${preset.id}, seed ${seed}`);
    const r = await runLesson(preset, {
      seed,
      rankings,
      noise,
      answersPerPrompt: 2,
      wasmMsPerStep,
      overrides,
      ...(goldReward !== undefined ? { goldReward } : {}),
      ...(methodsArg ? { methods: methods as Method[] } : {}),
      log: (line) => console.log(`  ${line}`),
    });
    results.push(r);
    console.log(
      `  gold base ${r.gold.base.toFixed(2)} · SFT ${r.gold.sft.toFixed(2)} · PPO ${r.gold.ppo.toFixed(2)} · RRHF ${r.gold.rrhf.toFixed(2)}; ` +
        `win vs SFT PPO ${pc(r.winRateVsSft.ppo.rate)} RRHF ${pc(r.winRateVsSft.rrhf.rate)}; RM agrees ${pc(r.rmAgreement)}; ` +
        `KL ${r.kl.ppo.toFixed(1)}/${r.kl.rrhf.toFixed(1)}; ends ${pc(r.eosShare)}; corpus ${pc(r.wordShare)} (SFT ${pc(r.wordShareBy.sft)}, PPO ${pc(r.wordShareBy.ppo)}, RRHF ${pc(r.wordShareBy.rrhf)}); ` +
        `${((performance.now() - t0) / 1000).toFixed(0)} s, tensors ${tf.memory().numTensors}`,
    );
    if (r.adaptive) {
      console.log(
        `  adaptive KL: gold ${r.adaptive.gold.toFixed(2)}, win ${pc(r.adaptive.winRateVsSft.rate)}, KL ${r.adaptive.kl.toFixed(1)}`,
      );
    }
    for (const m of METHODS) {
      const d = r[m];
      if (!d) continue;
      console.log(
        `  ${m.toUpperCase()}: gold ${d.gold.toFixed(2)}, win ${pc(d.winRateVsSft.rate)}, KL ${d.kl.toFixed(1)}, ${d.seconds.toFixed(0)} s; e.g. ${JSON.stringify(d.example)}`,
      );
    }
    console.log(`  e.g. PPO: ${JSON.stringify(r.examples.ppo)}`);
  }
  const set = argument('set', '');
  const command = `npm run lessons -- --preset ${preset.id} --seeds ${seeds.join(',')} --rankings ${rankings} --noise ${noise}${set ? ` --set ${set}` : ''}${methodsArg ? ` --methods ${methodsArg}` : ''}${goldReward !== undefined ? ` --gold-reward ${goldReward}` : ''}`;
  all.push({ preset: preset.id, command, seeds: results });
  console.log('\n' + renderPresetSection(preset, command, results));
  if (mdOut)
    updateReport(path.resolve(mdOut), preset.id, renderPresetSection(preset, command, results));
}

if (jsonOut) {
  const dir = path.dirname(path.resolve(jsonOut));
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const body = all.map((p) => ({
    preset: p.preset,
    command: p.command,
    seeds: p.seeds.map((r) => ({
      seed: r.seed,
      model: r.model,
      rmAgreement: r.rmAgreement,
      rmLeaveOneOut: r.rmLeaveOneOut,
      gold: r.gold,
      winRateVsSft: { ppo: r.winRateVsSft.ppo.rate, rrhf: r.winRateVsSft.rrhf.rate },
      winRateIntervals: { ppo: r.winRateVsSft.ppo, rrhf: r.winRateVsSft.rrhf },
      kl: r.kl,
      eosShare: r.eosShare,
      wordShare: r.wordShare,
      wordShareBy: r.wordShareBy,
      seconds: r.seconds,
      klTarget: r.klTarget,
      rmHeldoutAccuracy: r.rmHeldoutAccuracy,
      rollouts: r.rollouts,
      answers: r.answers,
      ...(r.adaptive
        ? { adaptive: { ...r.adaptive, winRateVsSft: r.adaptive.winRateVsSft.rate } }
        : {}),
      ...Object.fromEntries(
        METHODS.flatMap((m) => {
          const d = r[m];
          return d
            ? [[m, { ...d, winRateVsSft: d.winRateVsSft.rate, winRateInterval: d.winRateVsSft }]]
            : [];
        }),
      ),
    })),
  }));
  writeFileSync(jsonOut, JSON.stringify(body.length === 1 ? body[0] : body, null, 2) + '\n');
}

function pc(x: number): string {
  return Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–';
}

/** The presets of public/presets/index.json, in the page's order. */
function presetIds(): string[] {
  const index = JSON.parse(readFileSync(path.join(ROOT, 'public/presets/index.json'), 'utf8')) as {
    presets: { id: string }[];
  };
  return index.presets.map((p) => p.id);
}
