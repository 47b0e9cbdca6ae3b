/**
 * Generalised Advantage Estimation (Schulman et al. 2016, arXiv 1506.02438,
 * eq. 16), as used by InstructGPT's PPO (γ = 1, λ = 0.95) and TRL:
 *   δ_t = r_t + γ·V_{t+1} − V_t  (V after the last response token is 0),
 *   A_t = δ_t + γλ·A_{t+1},  returns R_t = A_t + V_t.
 * Plain arrays on purpose: the backward recursion is sequential, and trainers
 * read rewards and values back once per rollout with `await t.data()`.
 */
import { ArgumentError, assertFiniteArray, assertInRange, assertNonEmpty } from '../errors';

type Numbers = ArrayLike<number>;

function checkDiscounts(gamma: number, lam: number): void {
  assertInRange('gamma', gamma, 0, 1);
  assertInRange('lam', lam, 0, 1);
}

/** GAE over positions [start, end) of flat arrays, written into `adv` / `ret`. */
function gaeSpan(
  rewards: Numbers,
  values: Numbers,
  start: number,
  end: number,
  gamma: number,
  lam: number,
  adv: { [i: number]: number },
  ret: { [i: number]: number },
): void {
  let nextValue = 0;
  let nextAdv = 0;
  for (let t = end - 1; t >= start; t--) {
    const delta = rewards[t] + gamma * nextValue - values[t];
    nextAdv = delta + gamma * lam * nextAdv;
    adv[t] = nextAdv;
    ret[t] = nextAdv + values[t];
    nextValue = values[t];
  }
}

/** GAE for one sequence of per-token rewards and values. */
export function gae(
  rewards: number[],
  values: number[],
  gamma: number,
  lam: number,
): { advantages: number[]; returns: number[] } {
  assertNonEmpty('rewards', rewards);
  assertFiniteArray('rewards', rewards);
  assertFiniteArray('values', values);
  if (values.length !== rewards.length) {
    throw new ArgumentError(
      'values',
      `has ${values.length} entries but rewards has ${rewards.length}`,
    );
  }
  checkDiscounts(gamma, lam);
  const advantages = new Array<number>(rewards.length).fill(0);
  const returns = new Array<number>(rewards.length).fill(0);
  gaeSpan(rewards, values, 0, rewards.length, gamma, lam, advantages, returns);
  return { advantages, returns };
}

/**
 * GAE on row-major [B, T] arrays, per row over its response tokens only (mask
 * 1, one contiguous run per row, left- or right-padded). Positions outside the
 * mask get advantage 0 and return 0; a row without response tokens is all 0.
 */
export function gaeMasked(
  rewards: Float32Array | number[],
  values: Float32Array | number[],
  mask: Float32Array | number[],
  B: number,
  T: number,
  gamma: number,
  lam: number,
): { advantages: Float32Array; returns: Float32Array } {
  if (!Number.isInteger(B) || B <= 0)
    throw new ArgumentError('B', `is ${B}; expected an integer > 0`);
  if (!Number.isInteger(T) || T <= 0)
    throw new ArgumentError('T', `is ${T}; expected an integer > 0`);
  for (const [name, a] of [
    ['rewards', rewards],
    ['values', values],
    ['mask', mask],
  ] as const) {
    if (a.length !== B * T) {
      throw new ArgumentError(name, `has ${a.length} entries; expected B·T = ${B}·${T} = ${B * T}`);
    }
    assertFiniteArray(name, a);
  }
  checkDiscounts(gamma, lam);
  const advantages = new Float32Array(B * T);
  const returns = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    let start = -1;
    let end = -1;
    for (let t = 0; t < T; t++) {
      const m = mask[b * T + t];
      if (m !== 0 && m !== 1) {
        throw new ArgumentError('mask', `entry ${b * T + t} is ${m}; expected 0 or 1`);
      }
      if (m === 1) {
        if (start === -1) start = t;
        else if (end !== t) {
          throw new ArgumentError('mask', `row ${b} has more than one run of 1s; expected one`);
        }
        end = t + 1;
      }
    }
    if (start !== -1) {
      gaeSpan(rewards, values, b * T + start, b * T + end, gamma, lam, advantages, returns);
    }
  }
  return { advantages, returns };
}
