/**
 * The generated part of docs/lessons.md: one section per preset, with the
 * command that made it, the per-seed values and their medians, each checked
 * against the targets the lesson has to meet.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Preset } from '../../src/core/presets';
import { BON_N, METHODS, type LessonResult, type Method, type MethodRow } from './lesson';

export function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const pc = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const s0 = (x: number) => `${Math.round(x)} s`;
/**
 * A target's median in as many decimals as it takes for the number shown to
 * meet the target exactly when the number itself does (a median of 96.8%
 * must not read as a met 97%, nor 96.96% as 97.0%, nor 120.4 s as 120 s).
 */
export function beside(x: number, meets: (v: number) => boolean, decimals: number): string {
  for (let d = decimals; d < decimals + 4; d++) {
    if (meets(Number(x.toFixed(d))) === meets(x)) return x.toFixed(d);
  }
  return String(x);
}
/** A share in percent, one decimal or more, against the bar it must reach. */
const pc1 = (x: number, bar: number) =>
  Number.isFinite(x) ? `${beside(x * 100, (v) => v >= bar * 100, 1)}%` : '–';
/** Seconds, whole or more, against the most they may take. */
const sUpTo = (x: number, most: number) =>
  Number.isFinite(x) ? `${beside(x, (v) => v <= most, 0)} s` : '–';

/** Seeds in which an optimiser lifts held-out gold by 0.30 over SFT and wins ≥ 70% against it. */
export function passes(rs: LessonResult[], kind: 'ppo' | 'rrhf'): number {
  // A lift of exactly 0.30 passes: 0.7 − 0.4 is 0.29999999999999993 in floating point.
  return rs.filter(
    (r) => r.gold[kind] - r.gold.sft >= 0.3 - 1e-9 && r.winRateVsSft[kind].rate >= 0.7,
  ).length;
}

/** The reward-hacking lesson: PPO at its fixed β, then again with adaptive KL. */
const isHackingLesson = (rs: LessonResult[]) => rs.some((r) => r.adaptive);

/** The default path's seconds, apart from the person's own ranking: SFT, queue, reward model, PPO. */
const defaultPath = (r: LessonResult) =>
  r.seconds.sft + r.seconds.queue + r.seconds.rm + r.seconds.ppo;

/** Reward-hacking's seeds in which PPO at the weak fixed β raised the RM score while gold fell below SFT. */
export function hacks(rs: LessonResult[]): number {
  return rs.filter((r) => r.rollouts.ppo.rmLast > r.rollouts.ppo.rmFirst && r.gold.ppo < r.gold.sft)
    .length;
}

/** Reward-hacking's seeds in which PPO with adaptive KL ended with gold ≥ SFT + 0.2. */
export function rescues(rs: LessonResult[]): number {
  return rs.filter((r) => r.adaptive && r.adaptive.gold - r.gold.sft >= 0.2 - 1e-9).length;
}

/**
 * A target as [what, met?]; met is null for a target the lesson does not set
 * out to meet (reward-hacking's PPO at a weak fixed β is meant to go wrong).
 */
export type Target = [string, boolean | null];

/** The lesson's targets, each as [what, met?]. */
export function targets(preset: Preset, rs: LessonResult[]): Target[] {
  const med = (f: (r: LessonResult) => number) => median(rs.map(f));
  const need = Math.max(1, Math.ceil(rs.length * 0.8));
  const of = (n: number) => `in ≥ ${need} of ${rs.length} seeds (${n})`;
  const lifts = (kind: 'ppo' | 'rrhf') => passes(rs, kind);
  const target = rs[0]?.klTarget ?? null;
  // The medians the targets read, each named in its line.
  const agree = med((r) => r.rmAgreement);
  const ends = med((r) => r.eosShare);
  const words = med((r) => r.wordShare);
  const ppoSeconds = med((r) => r.seconds.ppo);
  const pathSeconds = med(defaultPath);
  const out: Target[] = [
    [`RM agrees with gold on ≥ 75% of held-out pairs (median ${pc1(agree, 0.75)})`, agree >= 0.75],
  ];
  const hacking = isHackingLesson(rs);
  // Reward-hacking's own targets replace the default path's where its lesson
  // sets out to break them: shown, with why, but neither met nor missed.
  const notHere = (t: Target, why: string): Target =>
    hacking ? [`${t[0]}: not this lesson’s target (${why})`, null] : t;
  if (hacking) {
    // The reward-hacking lesson: a weak fixed β is meant to fail; adaptive KL must not.
    const hacked = hacks(rs);
    const rescued = rescues(rs);
    out.push([
      `fixed β: the RM score rises while gold ends below SFT ${of(hacked)}`,
      hacked >= need,
    ]);
    out.push([`adaptive KL: gold ends ≥ SFT + 0.2 ${of(rescued)}`, rescued >= need]);
  } else {
    out.push([
      `PPO: gold ≥ SFT + 0.30 and win rate ≥ 70% ${of(lifts('ppo'))}`,
      lifts('ppo') >= need,
    ]);
    if (target !== null) {
      const kl = med((r) => r.kl.ppo);
      out.push([`PPO's KL ≤ 1.5 × its target ${target} (median ${f1(kl)})`, kl <= 1.5 * target]);
    }
  }
  out.push(
    notHere(
      [`RRHF: gold ≥ SFT + 0.30 and win rate ≥ 70% ${of(lifts('rrhf'))}`, lifts('rrhf') >= need],
      'its steps are PPO at a fixed β, then adaptive KL',
    ),
    [`≥ 90% of samples end within the sample length (median ${pc1(ends, 0.9)})`, ends >= 0.9],
    notHere(
      preset.language === 'zh'
        ? [`≥ 95% corpus character bigrams (median ${pc1(words, 0.95)})`, words >= 0.95]
        : [`≥ 97% corpus words (median ${pc1(words, 0.97)})`, words >= 0.97],
      'PPO at the weak β is meant to write what the reward model overrates',
    ),
    notHere(
      [`PPO run ≤ 120 s (median ${sUpTo(ppoSeconds, 120)})`, ppoSeconds <= 120],
      'its PPO runs twice, with the lesson’s own iterations',
    ),
    [`SFT + queue + RM + PPO ≤ 5 min (median ${sUpTo(pathSeconds, 300)})`, pathSeconds <= 300],
  );
  return out;
}

const METHOD_TITLE: Record<Method, string> = {
  dpo: 'DPO from the same SFT model, trained straight on the same rankings (every pair of each ranking; no reward model, no sampling)',
  grpo: 'GRPO from the same SFT model against the same reward model (K answers of the policy per prompt, each against its group; no value model)',
  bon: `Best-of-${BON_N} from the SFT model: for each held-out answer, ${BON_N} drawn and the reward model's best kept (no training; KL log n − (n−1)/n, the bound for answers without ties)`,
};

/** The targets of the methods beyond PPO and RRHF, as [what, met?]. */
export function methodTargets(method: Method, rs: LessonResult[]): [string, boolean][] {
  const need = Math.max(1, Math.ceil(rs.length * 0.8));
  if (method === 'bon') {
    const raised = rs.filter((r) => r.bon && r.bon.gold > r.gold.sft).length;
    return [
      [
        `best-of-${BON_N} raises held-out gold over SFT in ≥ ${need} of ${rs.length} seeds (${raised})`,
        raised >= need,
      ],
    ];
  }
  if (method === 'dpo') {
    const raised = rs.filter((r) => r.dpo && r.dpo.gold > r.gold.sft).length;
    return [
      [
        `DPO raises held-out gold over SFT in ≥ ${need} of ${rs.length} seeds (${raised})`,
        raised >= need,
      ],
    ];
  }
  // GRPO against PPO: its win rate against SFT inside PPO's interval or above it, in no more time.
  const matched = rs.filter(
    (r) => r.grpo && r.grpo.winRateVsSft.rate >= r.winRateVsSft.ppo.low,
  ).length;
  const med = (f: (r: LessonResult) => number) => median(rs.map(f));
  return [
    [
      `GRPO's win rate vs SFT within PPO's interval or above, in ≥ ${need} of ${rs.length} seeds (${matched})`,
      matched >= need,
    ],
    [
      'GRPO run ≤ PPO run (median)',
      med((r) => r.grpo?.seconds ?? NaN) <= med((r) => r.seconds.ppo),
    ],
  ];
}

/** A table for each method beyond PPO and RRHF that was measured. */
function methodSections(
  rs: LessonResult[],
  m: (f: (r: LessonResult) => number) => number,
): string[] {
  return METHODS.flatMap((method) => {
    const measured = rs.filter((r) => r[method]);
    if (measured.length === 0) return [];
    const row = (r: LessonResult) => r[method]!;
    const mm = (f: (d: MethodRow) => number) => median(measured.map((r) => f(row(r))));
    const name = method === 'bon' ? `best-of-${BON_N}` : method.toUpperCase();
    return [
      '',
      `${METHOD_TITLE[method]}:`,
      '',
      `| seed | gold: SFT | ${name} | win vs SFT | KL | seconds |`,
      '| --- | --- | --- | --- | --- | --- |',
      ...measured.map((r) => {
        const d = row(r);
        const w = d.winRateVsSft;
        return `| ${r.seed} | ${f2(r.gold.sft)} | ${f2(d.gold)} | ${pc(w.rate)} [${pc(w.low)}, ${pc(w.high)}] | ${f1(d.kl)} | ${s0(d.seconds)} |`;
      }),
      `| **median** | ${f2(m((r) => r.gold.sft))} | ${f2(mm((d) => d.gold))} | ${pc(mm((d) => d.winRateVsSft.rate))} | ` +
        `${f1(mm((d) => d.kl))} | ${s0(mm((d) => d.seconds))} |`,
      '',
      ...methodTargets(method, measured).map(([what, ok]) => `- ${ok ? '✅' : '❌'} ${what}`),
      '',
      `First held-out answer, seed ${measured[0].seed}: ${name} ${JSON.stringify(row(measured[0]).example)}.`,
    ];
  });
}

const mark = (ok: boolean | null) => (ok === null ? '➖' : ok ? '✅' : '❌');

export function renderPresetSection(preset: Preset, command: string, rs: LessonResult[]): string {
  const rows = rs.map(
    (r) =>
      `| ${r.seed} | ${pc(r.rmAgreement)} | ${f2(r.gold.base)} | ${f2(r.gold.sft)} | ${f2(r.gold.ppo)} | ${f2(r.gold.rrhf)} | ` +
      `${pc(r.winRateVsSft.ppo.rate)} [${pc(r.winRateVsSft.ppo.low)}, ${pc(r.winRateVsSft.ppo.high)}] | ` +
      `${pc(r.winRateVsSft.rrhf.rate)} [${pc(r.winRateVsSft.rrhf.low)}, ${pc(r.winRateVsSft.rrhf.high)}] | ` +
      `${f1(r.kl.ppo)} | ${f1(r.kl.rrhf)} | ${pc(r.eosShare)} | ${pc(r.wordShare)} | ` +
      `${s0(r.seconds.sft)} · ${s0(r.seconds.queue)} · ${s0(r.seconds.rm)} · ${s0(r.seconds.ppo)} · ${s0(r.seconds.rrhf)} |`,
  );
  const m = (f: (r: LessonResult) => number) => median(rs.map(f));
  const medianRow =
    `| **median** | ${pc(m((r) => r.rmAgreement))} | ${f2(m((r) => r.gold.base))} | ${f2(m((r) => r.gold.sft))} | ` +
    `${f2(m((r) => r.gold.ppo))} | ${f2(m((r) => r.gold.rrhf))} | ${pc(m((r) => r.winRateVsSft.ppo.rate))} | ` +
    `${pc(m((r) => r.winRateVsSft.rrhf.rate))} | ${f1(m((r) => r.kl.ppo))} | ${f1(m((r) => r.kl.rrhf))} | ` +
    `${pc(m((r) => r.eosShare))} | ${pc(m((r) => r.wordShare))} | ` +
    `${s0(m((r) => r.seconds.sft))} · ${s0(m((r) => r.seconds.queue))} · ${s0(m((r) => r.seconds.rm))} · ` +
    `${s0(m((r) => r.seconds.ppo))} · ${s0(m((r) => r.seconds.rrhf))} |`;
  const checks = targets(preset, rs).map(([what, ok]) => `- ${mark(ok)} ${what}`);
  const hacking = isHackingLesson(rs)
    ? [
        '',
        'PPO with the preset’s fixed β against PPO with the default adaptive KL controller, from the same SFT and reward model (rollout scores: mean of the first → last 3 iterations; gold on held-out prompts):',
        '',
        '| seed | fixed β: RM | gold (rollouts) | held-out gold | KL | adaptive: RM | gold (rollouts) | held-out gold | KL | β at the end | SFT held-out gold |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
        ...rs.map((r) => {
          const f = r.rollouts.ppo;
          const a = r.adaptive;
          return (
            `| ${r.seed} | ${f2(f.rmFirst)} → ${f2(f.rmLast)} | ${f2(f.goldFirst)} → ${f2(f.goldLast)} | ${f2(r.gold.ppo)} | ${f1(r.kl.ppo)} | ` +
            (a
              ? `${f2(a.rollouts.rmFirst)} → ${f2(a.rollouts.rmLast)} | ${f2(a.rollouts.goldFirst)} → ${f2(a.rollouts.goldLast)} | ${f2(a.gold)} | ${f1(a.kl)} | ${a.rollouts.betaLast.toFixed(2)} |`
              : '– | – | – | – | – |') +
            ` ${f2(r.gold.sft)} |`
          );
        }),
      ]
    : [];
  const methods = methodSections(rs, m);
  const ex = rs[0]?.examples;
  return [
    `## ${preset.title} (\`${preset.id}\`)`,
    '',
    `\`${command}\` — model \`${rs[0]?.model ?? '?'}\`, ${rs.length} seeds.`,
    '',
    '| seed | RM agrees with gold | gold: base | SFT | PPO | RRHF | win vs SFT: PPO | RRHF | KL: PPO | RRHF | ends (EOS) | corpus units | seconds: SFT · queue · RM · PPO · RRHF |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    medianRow,
    '',
    `Corpus units by model, per seed: ${rs
      .map((r) => `${pc(r.wordShareBy.sft)} · ${pc(r.wordShareBy.ppo)} · ${pc(r.wordShareBy.rrhf)}`)
      .join('; ')} (SFT · PPO · RRHF; the column above pools the three).`,
    '',
    ...checks,
    ...hacking,
    ...methods,
    ...(ex
      ? [
          '',
          `First held-out answer, seed ${rs[0].seed}: SFT ${JSON.stringify(ex.sft)}; PPO ${JSON.stringify(ex.ppo)}; RRHF ${JSON.stringify(ex.rrhf)}.`,
        ]
      : []),
    '',
  ].join('\n');
}

const BEGIN = (id: string) => `<!-- lessons:${id} -->`;
const END = (id: string) => `<!-- /lessons:${id} -->`;

/**
 * Writes `section` between the report's markers for `id`: in place of the old
 * block, or, the first time, at the offset `where` gives (−1: at the end).
 */
function writeBlock(
  file: string,
  id: string,
  section: string,
  where: (text: string) => number,
): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Lessons, measured\n';
  const block = `${BEGIN(id)}\n${section}${END(id)}\n`;
  const a = text.indexOf(BEGIN(id));
  const b = text.indexOf(END(id));
  if (a >= 0 && b > a) {
    writeFileSync(file, text.slice(0, a) + block + text.slice(b + END(id).length + 1));
    return;
  }
  const at = where(text);
  writeFileSync(
    file,
    at >= 0 ? `${text.slice(0, at)}${block}\n${text.slice(at)}` : `${text.trimEnd()}\n\n${block}`,
  );
}

/** Replaces one preset's generated section of the report, or adds it after the others. */
export function updateReport(file: string, id: string, section: string): void {
  // New presets go after the generated ones, before the hand-written notes.
  writeBlock(file, id, section, (text) => {
    const notes = ['## What made the lesson show', '## Earlier measurements']
      .map((h) => text.indexOf(h))
      .filter((i) => i >= 0);
    return notes.length > 0 ? Math.min(...notes) : -1;
  });
}

/** Replaces the report's summary, or adds it before the presets' sections. */
export function updateSummary(file: string, section: string): void {
  writeBlock(file, 'summary', section, (text) => text.indexOf('<!-- lessons:'));
}

/**
 * The report's first table: every preset's lesson in one row, from the same
 * results and the same targets as its own section, and each target missed,
 * named.
 */
export function renderSummary(lessons: { preset: Preset; rs: LessonResult[] }[]): string {
  const rows = lessons.map(({ preset, rs }) => {
    const m = (f: (r: LessonResult) => number) => median(rs.map(f));
    const ts = targets(preset, rs).filter((t) => t[1] !== null);
    const met = ts.filter((t) => t[1]).length;
    const of = (n: number) => `${n} of ${rs.length}`;
    const hacking = isHackingLesson(rs);
    const ppo = hacking
      ? `β 0.01 hacks in ${of(hacks(rs))}; adaptive KL rescues ${of(rescues(rs))}`
      : of(passes(rs, 'ppo'));
    const path = m(defaultPath);
    return (
      `| [${preset.title}](#${anchor(preset)}) | ${rs[0]?.model ?? '?'} | ${met} of ${ts.length}${met === ts.length ? ' ✅' : ''} | ` +
      `${pc(m((r) => r.rmAgreement))} | ${ppo} | ${hacking ? '–' : of(passes(rs, 'rrhf'))} | ` +
      `${f2(m((r) => r.gold.sft))} → ${f2(m((r) => r.gold.ppo))} · ` +
      `${hacking ? `– (PPO at β 0.01; with adaptive KL ${f2(m((r) => r.adaptive?.gold ?? NaN))})` : f2(m((r) => r.gold.rrhf))} | ` +
      `${pc(m((r) => r.winRateVsSft.ppo.rate))} · ${hacking ? '–' : pc(m((r) => r.winRateVsSft.rrhf.rate))} | ` +
      `${s0(m((r) => r.seconds.ppo))} · ${s0(path)} |`
    );
  });
  const misses = lessons.flatMap(({ preset, rs }) =>
    targets(preset, rs)
      .filter((t) => t[1] === false)
      .map(([what]) => `- ${preset.title}: ${what}`),
  );
  return [
    '## At a glance',
    '',
    'Each preset’s lesson in one row: medians over its seeds, from the sections below (the targets each one counts are listed there; reward-hacking’s PPO column is its own two targets). Made again from `docs/lessons/*.json` by `npm run lessons -- --summary docs/lessons --md docs/lessons.md`.',
    '',
    '| preset | model | targets met | RM agrees with gold | PPO passes | RRHF passes | gold: SFT → PPO · RRHF | win vs SFT: PPO · RRHF | seconds: PPO · default path |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'A pass: held-out gold ≥ SFT + 0.30 and a gold win rate vs SFT ≥ 70%, in one seed; the default path is SFT, the ranking queue, the reward model and PPO, without the person’s own ranking time.',
    '',
    ...(misses.length > 0 ? ['Targets missed:', '', ...misses] : ['Every target is met.']),
    '',
  ].join('\n');
}

/** The heading's anchor on GitHub: lower case, punctuation dropped, spaces as hyphens. */
function anchor(preset: Preset): string {
  return `${preset.title} (\`${preset.id}\`)`
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}
