#!/usr/bin/env python3
"""Reference values for the RLHF losses of src/core/losses, in numpy float64.

Written from the formulas (DESIGN.md; InstructGPT arXiv 2203.02155 eq. 1; PPO
arXiv 1707.06347 and TRL's PPOTrainer; GAE arXiv 1506.02438; Ziegler et al.
2019 arXiv 1909.08593; RRHF arXiv 2304.05302; DPO arXiv 2305.18290 eq. 7 and
IPO arXiv 2310.12036 eq. 17, as TRL's DPOTrainer; GRPO arXiv 2402.03300,
Dr. GRPO arXiv 2503.20783 and RLOO arXiv 2402.14740, as TRL's GRPOTrainer),
deliberately with explicit
loops rather than the tensor tricks of the TypeScript, so that the two are
independent. Inputs are rounded to float32 first, so the references are exact
for the very numbers the float32 tests feed in.

Usage: python3 scripts/make_fixtures.py   (writes tests/fixtures/losses.json)
"""

import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'losses.json')


def f32(a):
    """Round to float32, back to float64 (the values the tests feed to tfjs)."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def lst(a):
    return np.asarray(a, dtype=np.float64).tolist()


def softplus(x):
    # log(1 + e^x) without overflow
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


# ---------------------------------------------------------------- masked stats


def m_sum(x, m):
    total = 0.0
    for xi, mi in zip(np.ravel(x), np.ravel(m)):
        total += xi * mi
    return total


def m_mean(x, m):
    return m_sum(x, m) / float(np.sum(m))


def m_var(x, m, unbiased=True):
    mu = m_mean(x, m)
    acc = 0.0
    for xi, mi in zip(np.ravel(x), np.ravel(m)):
        acc += (xi - mu) ** 2 * mi
    n = float(np.sum(m))
    return acc / (n - 1.0 if unbiased else n)


def masked_cases(rng):
    cases = []
    raw = [
        ('hand', [[1.0, 2.0, 3.0, 4.0], [5.0, -1.0, 0.5, 2.0]], [[1, 1, 1, 0], [0, 1, 1, 1]]),
        ('all ones', [[0.3, -0.7], [1.5, 2.25]], [[1, 1], [1, 1]]),
        (
            'random 3x6 left/right padded',
            rng.normal(size=(3, 6)) * 2.0,
            [[0, 0, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [0, 1, 1, 1, 1, 0]],
        ),
    ]
    for name, x, m in raw:
        x, m = f32(x), f32(m)
        cases.append({
            'name': name,
            'x': lst(x),
            'mask': lst(m),
            'sum': m_sum(x, m),
            'mean': m_mean(x, m),
            'varUnbiased': m_var(x, m, True),
            'varBiased': m_var(x, m, False),
            'meanAxis1': [m_mean(x[b], m[b]) for b in range(x.shape[0])],
            'varUnbiasedAxis1': [m_var(x[b], m[b], True) for b in range(x.shape[0])],
        })
    return cases


# ---------------------------------------------------------------- reward model


def ranking_pairs(ranks):
    pairs = []
    n = len(ranks)
    for i in range(n):
        for j in range(i + 1, n):
            if ranks[i] == ranks[j]:
                continue
            pairs.append([i, j] if ranks[i] < ranks[j] else [j, i])
    return pairs


def ranking_loss(r, ranks):
    pairs = ranking_pairs(ranks)
    if not pairs:
        return 0.0
    # -log sigmoid(r_w - r_l) = softplus(r_l - r_w)
    return sum(softplus(r[l] - r[w]) for w, l in pairs) / len(pairs)


def ranking_cases(rng):
    pair_cases = []
    for name, ranks in [
        ('hand with tie', [1, 0, 1, 2]),
        ('strict', [3, 2, 1, 0]),
        ('all tied', [0, 0, 0]),
        ('single', [0]),
        ('non-integer places', [0.5, 2.5, 0.5, -1.0]),
        ('random K=9 with ties', rng.integers(0, 5, size=9).tolist()),
    ]:
        pair_cases.append({'name': name, 'ranks': ranks, 'pairs': ranking_pairs(ranks)})

    loss_cases = []
    raw = [
        ('two, right order', [1.5, -0.5], [0, 1]),
        ('two, wrong order', [-0.5, 1.5], [0, 1]),
        ('four with tie', [0.2, 1.0, -0.3, 0.4], [1, 0, 1, 2]),
        ('all tied', [0.2, 1.0, -0.3], [0, 0, 0]),
        ('large margins', [40.0, -40.0, 0.0], [0, 2, 1]),
        ('large wrong margins', [-40.0, 40.0, 0.0], [0, 2, 1]),
        ('random K=6', rng.normal(size=6), rng.permutation(6).tolist()),
        ('random K=9 with ties', rng.normal(size=9) * 3.0, rng.integers(0, 4, size=9).tolist()),
    ]
    for name, r, ranks in raw:
        r = f32(r)
        loss_cases.append({
            'name': name,
            'rewards': lst(r),
            'ranks': ranks,
            'loss': ranking_loss(r, ranks),
        })

    direct_cases = []
    raw = [
        ('hand', [0.0, 2.0, -1.0], [0.5, 1.0, 0.0]),
        ('extremes', [30.0, -30.0], [0.0, 1.0]),
        ('random', rng.normal(size=7) * 2.0, rng.uniform(size=7)),
    ]
    for name, r, g in raw:
        r, g = f32(r), f32(g)
        loss = sum((sigmoid(ri) - gi) ** 2 for ri, gi in zip(r, g)) / len(r)
        direct_cases.append({'name': name, 'rewards': lst(r), 'grades': lst(g), 'loss': loss})
    return pair_cases, loss_cases, direct_cases


# ---------------------------------------------------------------- PPO


def whiten_ref(x, m, shift_mean):
    mu = m_mean(x, m)
    var = m_var(x, m, True)
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        if m[idx] == 0:
            continue  # zero outside the mask
        w = (x[idx] - mu) / math.sqrt(var + 1e-8)
        out[idx] = w if shift_mean else w + mu
    return out


def whiten_cases(rng):
    cases = []
    raw = [
        ('hand', [[1.0, 2.0, 3.0, 9.0], [4.0, 5.0, 6.0, 9.0]], [[1, 1, 1, 0], [1, 1, 1, 0]]),
        ('random left padded', rng.normal(size=(3, 5)) * 3 + 1, [[0, 0, 1, 1, 1]] * 3),
        ('random mixed', rng.normal(size=(2, 6)), [[0, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]]),
    ]
    for name, x, m in raw:
        x, m = f32(x), f32(m)
        for shift in (True, False):
            cases.append({
                'name': f'{name}, shiftMean={shift}',
                'x': lst(x),
                'mask': lst(m),
                'shiftMean': shift,
                'out': lst(whiten_ref(x, m, shift)),
            })
    return cases


def kl_rewards_ref(logp, ref, m, scores, beta):
    B, T = logp.shape
    kl = np.zeros((B, T))
    rew = np.zeros((B, T))
    for b in range(B):
        last = None
        for t in range(T):
            if m[b, t] == 1:
                last = t
                kl[b, t] = logp[b, t] - ref[b, t]
                rew[b, t] = -beta * kl[b, t]
        if last is not None:
            rew[b, last] += scores[b]
    return rew, kl


def kl_rewards_cases(rng):
    cases = []
    masks = [
        ('right padded', [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]]),
        ('left padded', [[0, 0, 1, 1, 1], [1, 1, 1, 1, 1], [0, 0, 0, 0, 1]]),
        ('prompt then padding', [[0, 1, 1, 0, 0], [0, 0, 1, 1, 1], [0, 0, 0, 0, 0]]),
    ]
    for (name, m), beta in zip(masks, [0.1, 0.05, 0.2]):
        m = f32(m)
        logp = f32(-rng.uniform(0.1, 3.0, size=m.shape))
        ref = f32(logp + rng.normal(scale=0.3, size=m.shape))
        scores = f32(rng.normal(size=m.shape[0]) * 2)
        rew, kl = kl_rewards_ref(logp, ref, m, scores, beta)
        cases.append({
            'name': name,
            'logprobs': lst(logp),
            'refLogprobs': lst(ref),
            'mask': lst(m),
            'scores': lst(scores),
            'beta': beta,
            'rewards': lst(rew),
            'kl': lst(kl),
        })
    return cases


def policy_ref(logp, old, adv, m, eps):
    num = cf = kl = den = 0.0
    for idx in np.ndindex(logp.shape):
        if m[idx] == 0:
            continue
        rho = math.exp(logp[idx] - old[idx])
        rho_c = min(max(rho, 1 - eps), 1 + eps)
        a = -adv[idx] * rho
        c = -adv[idx] * rho_c
        num += max(a, c)
        cf += 1.0 if c > a else 0.0
        kl += (logp[idx] - old[idx]) ** 2
        den += 1.0
    return num / den, cf / den, 0.5 * kl / den


def policy_margin_ok(logp, old, adv, m, eps):
    """True unless a token sits within float32 noise of a clip boundary."""
    for idx in np.ndindex(logp.shape):
        rho = math.exp(logp[idx] - old[idx])
        if min(abs(rho - 1 + eps), abs(rho - 1 - eps)) < 1e-3 or abs(adv[idx]) < 1e-3:
            return False
    return True


def policy_cases(rng):
    cases = []
    eps = 0.2
    shape = (2, 4)
    # None clipped: |log ratio| small.
    old = -rng.uniform(0.5, 2.0, size=shape)
    raw = [('none clipped', old + rng.uniform(-0.1, 0.1, size=shape), old,
            rng.normal(size=shape), [[1, 1, 1, 0], [0, 1, 1, 1]])]
    # All clipped: A > 0 with rho > 1 + eps, A < 0 with rho < 1 - eps; the masked-out
    # token is unclipped, so it would change clipfrac if it counted.
    old2 = -rng.uniform(0.5, 2.0, size=shape)
    sign = np.array([[1, -1, 1, -1], [-1, 1, -1, 1]], dtype=np.float64)
    adv2 = sign * rng.uniform(0.5, 2.0, size=shape)
    lp2 = old2 + sign * rng.uniform(0.5, 1.0, size=shape)
    lp2[1, 0] = old2[1, 0]
    raw.append(('all clipped', lp2, old2, adv2, [[1, 1, 1, 1], [0, 1, 1, 1]]))
    # Clipped-looking but unclipped side: A > 0 with rho < 1 - eps (max picks unclipped).
    old3 = -rng.uniform(0.5, 2.0, size=shape)
    raw.append(('outside band, unclipped side', old3 - 0.7, old3,
                rng.uniform(0.5, 2.0, size=shape), [[1, 1, 1, 1], [1, 1, 1, 1]]))
    seed = 100
    while len(raw) < 6:
        r = np.random.default_rng(seed)
        seed += 1
        shp = (3, 5)
        o = -r.uniform(0.2, 3.0, size=shp)
        lp = o + r.normal(scale=0.3, size=shp)
        a = r.normal(size=shp)
        m = [[0, 1, 1, 1, 1], [1, 1, 1, 0, 0], [0, 0, 1, 1, 0]]
        if policy_margin_ok(lp, o, a, np.ones(shp), eps):
            raw.append((f'random mixed (seed {seed - 1})', lp, o, a, m))
    for name, lp, o, a, m in raw:
        lp, o, a, m = f32(lp), f32(o), f32(a), f32(m)
        assert policy_margin_ok(lp, o, a, np.ones(lp.shape), eps), name
        loss, cf, akl = policy_ref(lp, o, a, m, eps)
        cases.append({
            'name': name,
            'logprobs': lst(lp),
            'oldLogprobs': lst(o),
            'advantages': lst(a),
            'mask': lst(m),
            'clipRange': eps,
            'loss': loss,
            'clipfrac': cf,
            'approxKl': akl,
        })
    return cases


def value_ref(v, vold, ret, m, eps):
    num = cf = den = 0.0
    for idx in np.ndindex(v.shape):
        if m[idx] == 0:
            continue
        vc = min(max(v[idx], vold[idx] - eps), vold[idx] + eps)
        e1 = (v[idx] - ret[idx]) ** 2
        e2 = (vc - ret[idx]) ** 2
        num += max(e1, e2)
        cf += 1.0 if e2 > e1 else 0.0
        den += 1.0
    return 0.5 * num / den, cf / den


def value_margin_ok(v, vold, ret, eps):
    for idx in np.ndindex(v.shape):
        d = abs(v[idx] - vold[idx])
        vc = min(max(v[idx], vold[idx] - eps), vold[idx] + eps)
        if abs(d - eps) < 1e-3:
            return False
        if d > eps and abs((vc - ret[idx]) ** 2 - (v[idx] - ret[idx]) ** 2) < 1e-3:
            return False
    return True


def value_cases(rng):
    cases = []
    eps = 0.2
    shape = (2, 4)
    vold = rng.normal(size=shape)
    raw = [('none clipped', vold + rng.uniform(-0.15, 0.15, size=shape), vold,
            rng.normal(size=shape), [[1, 1, 1, 0], [0, 1, 1, 1]])]
    # All clipped: V moved far from V_old, towards and past the return so that
    # the clipped error is the larger one.
    vold2 = rng.normal(size=shape)
    ret2 = vold2 + np.where(rng.uniform(size=shape) < 0.5, 1.0, -1.0) * rng.uniform(1, 2, size=shape)
    v2 = ret2 + 0.1 * np.sign(ret2 - vold2)
    raw.append(('all clipped', v2, vold2, ret2, [[1, 1, 1, 1], [1, 1, 1, 1]]))
    # Outside the band but the unclipped error is larger (V moved away from R).
    vold3 = rng.normal(size=shape)
    ret3 = vold3 + 1.0
    raw.append(('outside band, unclipped larger', vold3 - 0.8, vold3, ret3, [[1] * 4, [1] * 4]))
    seed = 200
    while len(raw) < 6:
        r = np.random.default_rng(seed)
        seed += 1
        shp = (3, 5)
        vo = r.normal(size=shp)
        v = vo + r.normal(scale=0.3, size=shp)
        rt = vo + r.normal(size=shp)
        m = [[0, 1, 1, 1, 1], [1, 1, 1, 0, 0], [0, 0, 1, 1, 0]]
        if value_margin_ok(v, vo, rt, eps):
            raw.append((f'random mixed (seed {seed - 1})', v, vo, rt, m))
    for name, v, vo, rt, m in raw:
        v, vo, rt, m = f32(v), f32(vo), f32(rt), f32(m)
        assert value_margin_ok(v, vo, rt, eps), name
        loss, cf = value_ref(v, vo, rt, m, eps)
        cases.append({
            'name': name,
            'values': lst(v),
            'oldValues': lst(vo),
            'returns': lst(rt),
            'mask': lst(m),
            'clipRange': eps,
            'loss': loss,
            'clipfrac': cf,
        })
    return cases


# ---------------------------------------------------------------- GAE


def gae_ref(r, v, gamma, lam):
    n = len(r)
    adv = [0.0] * n
    for t in range(n):
        # A_t = sum_l (gamma*lam)^l delta_{t+l}: the closed form, not the recursion
        acc = 0.0
        for l in range(n - t):
            s = t + l
            v_next = v[s + 1] if s + 1 < n else 0.0
            delta = r[s] + gamma * v_next - v[s]
            acc += (gamma * lam) ** l * delta
        adv[t] = acc
    return adv, [a + vv for a, vv in zip(adv, v)]


def gae_cases(rng):
    cases = []
    raw = [
        ('hand gamma=1 lam=1', [0.0, 0.0, 1.0], [0.5, 0.25, 0.75], 1.0, 1.0),
        ('hand gamma=0.9 lam=0.5', [1.0, -1.0, 2.0, 0.5], [0.1, 0.2, -0.3, 0.4], 0.9, 0.5),
        ('single token', [2.0], [0.5], 1.0, 0.95),
        ('lam=0 (one-step TD)', [0.3, 0.1, -0.2], [1.0, -1.0, 0.5], 0.99, 0.0),
        ('random InstructGPT setting', rng.normal(size=12), rng.normal(size=12), 1.0, 0.95),
    ]
    for name, r, v, g, l in raw:
        r, v = f32(r), f32(v)
        adv, ret = gae_ref(r, v, g, l)
        cases.append({
            'name': name, 'rewards': lst(r), 'values': lst(v), 'gamma': g, 'lam': l,
            'advantages': adv, 'returns': ret,
        })

    masked = []
    B, T = 4, 7
    mask = np.array([
        [0, 0, 1, 1, 1, 1, 1],  # left padded
        [1, 1, 1, 1, 0, 0, 0],  # right padded
        [0, 0, 0, 1, 1, 0, 0],  # prompt, response, padding
        [0, 0, 0, 0, 0, 0, 0],  # no response
    ], dtype=np.float64)
    for gamma, lam in [(1.0, 0.95), (0.9, 0.8)]:
        r = f32(rng.normal(size=(B, T)))
        v = f32(rng.normal(size=(B, T)))
        adv = np.zeros((B, T))
        ret = np.zeros((B, T))
        for b in range(B):
            idx = [t for t in range(T) if mask[b, t] == 1]
            if not idx:
                continue
            a, rt = gae_ref([r[b, t] for t in idx], [v[b, t] for t in idx], gamma, lam)
            for k, t in enumerate(idx):
                adv[b, t], ret[b, t] = a[k], rt[k]
        masked.append({
            'name': f'B=4 T=7 mixed padding, gamma={gamma} lam={lam}',
            'B': B, 'T': T, 'gamma': gamma, 'lam': lam,
            'rewards': lst(r.ravel()), 'values': lst(v.ravel()), 'mask': lst(mask.ravel()),
            'advantages': lst(adv.ravel()), 'returns': lst(ret.ravel()),
        })
    return cases, masked


# ---------------------------------------------------------------- KL controller


def kl_controller_cases():
    cases = []
    raw = [
        ('TRL defaults, mixed', 0.2, 6.0, 10000.0,
         [(6.0, 256), (12.0, 256), (0.0, 256), (7.5, 512), (5.0, 128), (100.0, 1000)]),
        ('short horizon', 0.05, 1.0, 64.0, [(1.1, 16), (0.9, 16), (3.0, 64), (-0.5, 32)]),
    ]
    for name, init, target, horizon, updates in raw:
        beta = init
        values = []
        for kl, n in updates:
            err = kl / target - 1.0
            err = 0.2 if err > 0.2 else (-0.2 if err < -0.2 else err)
            beta = beta * (1.0 + err * n / horizon)
            values.append(beta)
        cases.append({
            'name': name, 'initCoef': init, 'target': target, 'horizon': horizon,
            'updates': [list(u) for u in updates], 'values': values,
        })
    return cases


# ---------------------------------------------------------------- RRHF


def rrhf_ref(lp, lengths, scores, lp_pen):
    k = len(lp)
    p = [lp[i] / (lengths[i] ** lp_pen) for i in range(k)]
    rank = 0.0
    for i in range(k):
        for j in range(k):
            if scores[i] < scores[j]:
                rank += max(0.0, p[i] - p[j])
    best = max(range(k), key=lambda i: (scores[i], -i))
    sft = -lp[best] / lengths[best]
    return rank, sft, rank + sft


def rrhf_margin_ok(lp, lengths, scores, lp_pen):
    """True unless a scored pair sits within float32 noise of the hinge."""
    p = [lp[i] / (lengths[i] ** lp_pen) for i in range(len(lp))]
    return all(abs(p[i] - p[j]) > 1e-3 for i in range(len(p)) for j in range(i)
               if scores[i] != scores[j])


def rrhf_cases(rng):
    cases = []
    raw = [
        ('hand', [-6.0, -3.0, -2.5], [4, 6, 2], [1.0, 0.0, 0.5], 1.0),
        ('already ordered (rank 0)', [-1.0, -6.0, -12.0], [2, 3, 4], [3.0, 2.0, 1.0], 1.0),
        ('score ties, best is first of ties', [-3.0, -7.5, -1.0, -8.0], [3, 5, 2, 4],
         [2.0, 2.0, 1.0, 0.0], 1.0),
        ('all tied', [-3.0, -5.0], [3, 5], [1.0, 1.0], 1.0),
        ('single candidate', [-7.5], [5], [0.3], 1.0),
        ('lengthPenalty 0.5', [-4.0, -9.0, -2.0, -6.0], [4, 9, 2, 3], [0.1, 0.9, 0.5, 0.4], 0.5),
        ('lengthPenalty 2', [-4.0, -9.0, -2.0, -6.0], [4, 9, 2, 3], [0.1, 0.9, 0.5, 0.4], 2.0),
    ]
    seed = 300
    while len(raw) < 9:
        r = np.random.default_rng(seed)
        seed += 1
        k = 6
        lengths = r.integers(1, 20, size=k).tolist()
        lp = -r.uniform(0.2, 3.0, size=k) * np.array(lengths)
        scores = r.integers(0, 4, size=k).astype(float).tolist()  # with ties
        pen = 1.0 if len(raw) == 7 else 0.7
        if rrhf_margin_ok(f32(lp), lengths, scores, pen):
            raw.append((f'random k=6 (seed {seed - 1}) lengthPenalty {pen}', lp, lengths, scores, pen))
    for name, lp, lengths, scores, pen in raw:
        lp = f32(lp)
        assert rrhf_margin_ok(lp, lengths, scores, pen), name
        rank, sft, total = rrhf_ref(lp, lengths, scores, pen)
        cases.append({
            'name': name, 'logprobSums': lst(lp), 'lengths': [int(n) for n in lengths],
            'scores': [float(s) for s in scores], 'lengthPenalty': pen,
            'rank': rank, 'sft': sft, 'total': total,
        })
    return cases


# ---------------------------------------------------------------- DPO / IPO


def dpo_ref(pc, pr, rc, rr, beta, loss):
    """Loss, implicit rewards and dL/d(policy log-probs), pair by pair.

    h_i = (pc_i - rc_i) - (pr_i - rr_i); sigmoid: mean -log sigmoid(beta h_i)
    (DPO eq. 7); ipo: mean (h_i - 1/(2 beta))^2 (IPO eq. 17, TRL's loss_type
    "ipo"). The gradient is analytic: d/dh of -log sigmoid(beta h) is
    -beta sigmoid(-beta h); of (h - c)^2 it is 2 (h - c); dh/dpc = 1, dh/dpr = -1.
    """
    n = len(pc)
    total = 0.0
    grad_chosen = []
    for i in range(n):
        h = (pc[i] - rc[i]) - (pr[i] - rr[i])
        if loss == 'sigmoid':
            total += softplus(-beta * h)
            dh = -beta * sigmoid(-beta * h)
        else:
            c = 1.0 / (2.0 * beta)
            total += (h - c) ** 2
            dh = 2.0 * (h - c)
        grad_chosen.append(dh / n)
    chosen = [beta * (pc[i] - rc[i]) for i in range(n)]
    rejected = [beta * (pr[i] - rr[i]) for i in range(n)]
    return total / n, chosen, rejected, grad_chosen, [-g for g in grad_chosen]


def dpo_cases(loss):
    """Cases for one loss type, drawn from their own generator (the other cases' draws stay as they were)."""
    rng = np.random.default_rng(400 if loss == 'sigmoid' else 500)
    pc = [-4.0, -7.5, -12.25]
    pr = [-6.0, -3.0, -9.5]
    raw = [
        # pi = ref: h = 0, so sigmoid gives log 2 and ipo (1/(2 beta))^2; rewards 0.
        ('reference equals policy', pc, pr, pc, pr, 0.1),
        ('hand, one pair', [-4.0], [-6.0], [-5.0], [-5.0], 0.5),
        ('chosen fell, rejected rose', [-9.0, -2.0], [-3.0, -4.0], [-7.0, -2.5], [-4.0, -4.5], 1.0),
    ]
    if loss == 'sigmoid':
        raw.append(('large margins both ways', [-10.0, -200.0], [-200.0, -10.0], [-100.0, -100.0],
                    [-100.0, -100.0], 1.0))
    else:
        # h = 1/(2 beta) exactly: the ipo loss is 0.
        raw.append(('on target (loss 0)', [-3.0, -8.0], [-5.5, -10.5], [-4.0, -9.0], [-4.0, -9.0], 0.2))
    for beta in (0.1, 0.5, 2.0):
        n = 6
        policy_c = -rng.uniform(2.0, 30.0, size=n)
        policy_r = -rng.uniform(2.0, 30.0, size=n)
        ref_c = policy_c + rng.normal(scale=2.0, size=n)
        ref_r = policy_r + rng.normal(scale=2.0, size=n)
        raw.append((f'random N={n}, beta={beta}', policy_c, policy_r, ref_c, ref_r, beta))
    cases = []
    for name, a, b, c, d, beta in raw:
        a, b, c, d = f32(a), f32(b), f32(c), f32(d)
        value, chosen, rejected, g_chosen, g_rejected = dpo_ref(a, b, c, d, beta, loss)
        cases.append({
            'name': name, 'policyChosen': lst(a), 'policyRejected': lst(b),
            'refChosen': lst(c), 'refRejected': lst(d), 'beta': beta, 'loss': value,
            'chosenRewards': chosen, 'rejectedRewards': rejected,
            'gradPolicyChosen': g_chosen, 'gradPolicyRejected': g_rejected,
        })
    return cases


# ---------------------------------------------------------------- GRPO / Dr. GRPO / RLOO


def group_adv_ref(r, mode):
    """Advantages of one group, from the definitions.

    grpo: (r_i - mean) / (std + 1e-4) with the unbiased std (TRL, torch.std);
    dr-grpo: r_i - mean; rloo: r_i - mean of the other K - 1 rewards.
    """
    k = len(r)
    mean = sum(r) / k
    if mode == 'dr-grpo':
        return [x - mean for x in r]
    if mode == 'rloo':
        return [r[i] - sum(r[j] for j in range(k) if j != i) / (k - 1) for i in range(k)]
    std = math.sqrt(sum((x - mean) ** 2 for x in r) / (k - 1))
    return [(x - mean) / (std + 1e-4) for x in r]


def group_advantage_cases():
    rng = np.random.default_rng(600)
    raw = [
        ('hand: binary rewards, K=4 and K=2', [[1.0, 0.0, 0.0, 1.0], [0.0, 1.0]]),
        ('all-equal group gives 0', [[0.5, 0.5, 0.5], [2.0, -1.0, 0.5]]),
        ('one right of eight', [[0.0] * 7 + [1.0]]),
        ('random, K=3, 5 and 6', [rng.normal(size=3) * 2.0, rng.normal(size=5), rng.normal(size=6) + 3]),
    ]
    cases = []
    for name, groups in raw:
        groups = [f32(g).tolist() for g in groups]
        for mode in ('grpo', 'dr-grpo', 'rloo'):
            cases.append({
                'name': f'{name}, {mode}', 'mode': mode, 'rewards': groups,
                'advantages': [group_adv_ref(g, mode) for g in groups],
            })
    return cases


def grpo_ref(lp, old, ref, adv, m, eps, beta, normalise, max_len):
    """Loss, token-mean KL, clip ratio and dL/d(logprobs), token by token.

    l_t = -min(rho A, clip(rho, 1-eps, 1+eps) A) + beta (e^(ref-lp) - (ref-lp) - 1),
    rho = e^(lp - old). sequence: mean over rows of (sum_t m l_t / max(sum_t m, 1));
    tokens: sum m l_t / (B L), L = max_len or the longest row. The gradient is
    analytic: d/dlp of the policy term is -A rho where the unclipped term wins
    (or ties) and 0 where the clipped one wins; of the KL term 1 - e^(ref-lp).
    """
    B, T = lp.shape
    lengths = [sum(m[b, t] for t in range(T)) for b in range(B)]
    if normalise == 'sequence':
        weight = [1.0 / (B * max(n, 1.0)) for n in lengths]
    else:
        L = max_len if max_len is not None else max(lengths)
        weight = [1.0 / (B * L)] * B
    loss = kl = clip = count = 0.0
    grad = np.zeros((B, T))
    for b in range(B):
        a = adv[b]
        for t in range(T):
            if m[b, t] == 0:
                continue
            rho = math.exp(lp[b, t] - old[b, t])
            rho_c = min(max(rho, 1 - eps), 1 + eps)
            unclipped, clipped = -a * rho, -a * rho_c
            d = ref[b, t] - lp[b, t]
            k3 = math.exp(d) - d - 1.0
            loss += weight[b] * (max(unclipped, clipped) + beta * k3)
            g_policy = 0.0 if clipped > unclipped else -a * rho
            grad[b, t] = weight[b] * (g_policy + beta * (1.0 - math.exp(d)))
            kl += k3
            clip += 1.0 if clipped > unclipped else 0.0
            count += 1.0
    return loss, kl / count, clip / count, grad


def grpo_margin_ok(lp, old, adv, eps):
    """True unless a token sits within float32 noise of a clip boundary."""
    for b, t in np.ndindex(lp.shape):
        rho = math.exp(lp[b, t] - old[b, t])
        if adv[b] != 0 and (abs(adv[b]) < 1e-3 or min(abs(rho - 1 + eps), abs(rho - 1 - eps)) < 1e-3):
            return False
    return True


def grpo_cases(normalise):
    """Cases for one normalisation, drawn from their own generator."""
    rng = np.random.default_rng(700 if normalise == 'sequence' else 800)
    mask = [[0, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1], [0, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 0]]
    shape = (4, 6)
    raw = []
    # First epoch: old = logprobs, so rho = 1 and nothing is clipped.
    lp = -rng.uniform(0.2, 3.0, size=shape)
    raw.append(('ratio 1 (first epoch), beta 0.04', lp, lp.copy(), lp + rng.normal(scale=0.3, size=shape),
                [1.2, -0.4, 0.0, -0.8], mask, 0.04, None))
    # Policy = reference: the KL and its gradient are 0.
    lp = -rng.uniform(0.2, 3.0, size=shape)
    old = lp + rng.normal(scale=0.1, size=shape)
    raw.append(('policy equals reference (KL 0)', lp, old, lp.copy(), [0.7, -1.1, 0.3, 1.5], mask, 0.1, None))
    seed = 900 if normalise == 'sequence' else 950
    while len(raw) < 5:
        r = np.random.default_rng(seed)
        seed += 1
        o = -r.uniform(0.2, 3.0, size=shape)
        lp = o + r.normal(scale=0.3, size=shape)
        rf = lp + r.normal(scale=0.5, size=shape)
        a = r.normal(size=4)
        beta = 0.0 if len(raw) == 2 else 0.1
        if grpo_margin_ok(f32(lp), f32(o), f32(a), 0.2):
            raw.append((f'random mixed (seed {seed - 1}), beta {beta}', lp, o, rf, a, mask,
                        beta, None))
    if normalise == 'tokens':
        _, lp, o, rf, a, m, beta, _ = raw[-1]
        raw.append(('random mixed, generation budget L = 10', lp, o, rf, a, m, beta, 10))
    cases = []
    for name, lp, o, rf, a, m, beta, max_len in raw:
        lp, o, rf, a, m = f32(lp), f32(o), f32(rf), f32(a), f32(m)
        assert grpo_margin_ok(lp, o, a, 0.2), name
        loss, kl, clip, grad = grpo_ref(lp, o, rf, a, m, 0.2, beta, normalise, max_len)
        cases.append({
            'name': name, 'logprobs': lst(lp), 'oldLogprobs': lst(o), 'refLogprobs': lst(rf),
            'advantages': lst(a), 'mask': lst(m), 'clipRange': 0.2, 'beta': beta,
            'normalise': normalise, 'maxCompletionLength': max_len,
            'loss': loss, 'kl': kl, 'clipRatio': clip, 'gradLogprobs': lst(grad),
        })
    return cases


def main():
    rng = np.random.default_rng(20240601)
    pairs, ranking, direct = ranking_cases(rng)
    gae_plain, gae_masked = gae_cases(rng)
    data = {
        'about': 'Generated by scripts/make_fixtures.py (numpy float64); do not edit by hand.',
        'masked': masked_cases(rng),
        'rankingToPairs': pairs,
        'rankingLoss': ranking,
        'directScoreLoss': direct,
        'whiten': whiten_cases(rng),
        'klPenalizedRewards': kl_rewards_cases(rng),
        'ppoPolicyLoss': policy_cases(rng),
        'ppoValueLoss': value_cases(rng),
        'gae': gae_plain,
        'gaeMasked': gae_masked,
        'adaptiveKL': kl_controller_cases(),
        'rrhf': rrhf_cases(rng),
        'dpo': dpo_cases('sigmoid'),
        'ipo': dpo_cases('ipo'),
        'groupAdvantages': group_advantage_cases(),
        'grpo': grpo_cases('sequence'),
        'drGrpo': grpo_cases('tokens'),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    # One line per case: small diffs when a case changes, still greppable.
    parts = []
    for key, value in data.items():
        if isinstance(value, list):
            body = ',\n'.join('    ' + json.dumps(case) for case in value)
            parts.append(f'  {json.dumps(key)}: [\n{body}\n  ]')
        else:
            parts.append(f'  {json.dumps(key)}: {json.dumps(value)}')
    with open(OUT, 'w') as f:
        f.write('{\n' + ',\n'.join(parts) + '\n}\n')
    print(f'wrote {os.path.normpath(OUT)}: ' + ', '.join(f'{k} {len(v)}' for k, v in data.items()
                                                          if isinstance(v, list)))


if __name__ == '__main__':
    main()
