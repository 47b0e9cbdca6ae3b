"""PyTorch-CPU reference for the benchmark suite (bench/run.ts runs it; BENCHMARKS.md).

The same architecture as src/core/model/gpt.ts (nanoGPT layout: pre-norm GPT-2
blocks, learned position embeddings, GELU with the tanh approximation, tied LM
head, LayerNorm eps 1e-5, biases everywhere) and the same workloads as
bench/workloads.ts:

  sft            one training step: batch 16 x 128 tokens, next-token
                 cross-entropy, global-norm clipping to 1, Adam (lr 1e-3, eps 1e-8)
  sample-cache   4 prompts x 16 tokens -> 64 new tokens, with a KV cache
  sample-nocache the same, one full forward pass over the whole sequence per token

Every workload: one untimed warm-up, then repeated runs; the median is reported.
Prints one JSON object on stdout.

Usage: python3 bench/torch_ref.py [--reps 5] [--sizes nano,micro] [--budget 20]
Debian's python3-torch links the reference BLAS unless libopenblas0-openmp is
installed (or its folder is on LD_LIBRARY_PATH): see BENCHMARKS.md.
"""

import argparse
import json
import math
import platform
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB = 72
FIRST_CHAR = 4
SIZES = {
    "nano": dict(block_size=128, n_layer=4, n_head=4, n_embd=128),
    "micro": dict(block_size=128, n_layer=2, n_head=4, n_embd=64),
}


class Attention(nn.Module):
    def __init__(self, c, nh, block):
        super().__init__()
        self.nh = nh
        self.c_attn = nn.Linear(c, 3 * c)
        self.c_proj = nn.Linear(c, c)
        mask = torch.full((block, block), float("-inf")).triu(1)
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, x, past=None):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        hs = C // self.nh
        q, k, v = (t.view(B, T, self.nh, hs).transpose(1, 2) for t in (q, k, v))
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        S = k.shape[2]
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
        att = att + self.mask[S - T : S, :S]
        y = F.softmax(att, dim=-1) @ v
        y = y.transpose(1, 2).reshape(B, T, C)
        return self.c_proj(y), (k, v)


class Block(nn.Module):
    def __init__(self, c, nh, block):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c, eps=1e-5)
        self.attn = Attention(c, nh, block)
        self.ln_2 = nn.LayerNorm(c, eps=1e-5)
        self.c_fc = nn.Linear(c, 4 * c)
        self.c_proj = nn.Linear(4 * c, c)

    def forward(self, x, past=None):
        a, present = self.attn(self.ln_1(x), past)
        x = x + a
        x = x + self.c_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
        return x, present


class GPT(nn.Module):
    def __init__(self, vocab, block_size, n_layer, n_head, n_embd):
        super().__init__()
        self.wte = nn.Embedding(vocab, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.h = nn.ModuleList(Block(n_embd, n_head, block_size) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd, eps=1e-5)
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif "ln" in name:
                nn.init.ones_(p)
            else:
                std = 0.02 / math.sqrt(2 * n_layer) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, ids, past=None, start=0):
        T = ids.shape[1]
        pos = torch.arange(start, start + T, device=ids.device)
        x = self.wte(ids) + self.wpe(pos)
        presents = []
        for i, block in enumerate(self.h):
            x, present = block(x, None if past is None else past[i])
            presents.append(present)
        logits = self.ln_f(x) @ self.wte.weight.t()  # tied head
        return logits, presents


def make_model(size, seed=1):
    torch.manual_seed(seed)
    return GPT(VOCAB, **SIZES[size])


def random_tokens(gen, *shape):
    return torch.randint(FIRST_CHAR, VOCAB, shape, generator=gen)


def repeat(fn, reps, budget_s):
    fn(0)  # warm-up
    times = []
    t_start = time.perf_counter()
    while len(times) < reps:
        if len(times) >= 2 and time.perf_counter() - t_start > budget_s:
            break
        t0 = time.perf_counter()
        fn(len(times) + 1)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def bench_sft(size, reps, budget):
    model = make_model(size)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)
    gen = torch.Generator().manual_seed(2)

    def step(_):
        ids = random_tokens(gen, 16, 128)
        logits, _ = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, VOCAB), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss.item()

    return repeat(step, reps, budget), 16 * 128


def pick(last, gen):
    """Gumbel-max sampling and the token's log-probability, as bench/workloads.ts."""
    u = torch.rand(last.shape, generator=gen).clamp_min(1e-20)
    token = torch.argmax(last - torch.log(-torch.log(u)), dim=-1)
    lp = torch.log_softmax(last, dim=-1).gather(1, token[:, None])[:, 0]
    return token, lp


def bench_sampling(size, cached, reps, budget):
    model = make_model(size)
    model.eval()
    prompts = random_tokens(torch.Generator().manual_seed(3), 4, 16)
    new_tokens = 64

    @torch.inference_mode()
    def run(rep):
        gen = torch.Generator().manual_seed(rep)
        ids = prompts
        lps = []
        if cached:
            logits, past = model(ids)
            for t in range(new_tokens):
                token, lp = pick(logits[:, -1], gen)
                lps.append(lp)
                ids = torch.cat([ids, token[:, None]], dim=1)
                if t < new_tokens - 1:
                    logits, past = model(token[:, None], past, start=ids.shape[1] - 1)
        else:
            for _ in range(new_tokens):
                logits, _ = model(ids)
                token, lp = pick(logits[:, -1], gen)
                lps.append(lp)
                ids = torch.cat([ids, token[:, None]], dim=1)
        torch.stack(lps).sum().item()

    return repeat(run, reps, budget), 4 * new_tokens


def gemm_gflops():
    """A 512 x 512 x 512 product: shows whether a fast BLAS is linked."""
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    a @ b
    t0 = time.perf_counter()
    n = 0
    while time.perf_counter() - t0 < 0.5:
        a @ b
        n += 1
    return 2 * 512**3 * n / (time.perf_counter() - t0) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--sizes", default="nano,micro")
    ap.add_argument("--budget", type=float, default=20.0, help="seconds per workload")
    args = ap.parse_args()
    torch.set_grad_enabled(True)
    results = []
    for size in args.sizes.split(","):
        for name, fn in [
            ("sft", lambda: bench_sft(size, args.reps, args.budget)),
            ("sample-cache", lambda: bench_sampling(size, True, args.reps, args.budget)),
            ("sample-nocache", lambda: bench_sampling(size, False, args.reps, args.budget)),
        ]:
            times, tokens = fn()
            ms = statistics.median(times)
            results.append(
                dict(
                    name=name,
                    size=size,
                    ms=ms,
                    minMs=min(times),
                    reps=len(times),
                    runs=times,
                    tokensPerSec=tokens * 1000 / ms,
                )
            )
    info = dict(
        torch=torch.__version__,
        python=platform.python_version(),
        threads=torch.get_num_threads(),
        gemmGflops=round(gemm_gflops(), 1),
    )
    print(json.dumps(dict(info=info, results=results)))


if __name__ == "__main__":
    main()
