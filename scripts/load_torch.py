"""Load a model exported from the RLHF Playground into PyTorch.

The playground exports `<name>.safetensors` (nanoGPT's parameter names,
linear weights in PyTorch's (out, in) layout, float32) and `<name>.config.json`
(nanoGPT's GPTConfig names plus the character vocabulary). This file is a
nanoGPT-style module (karpathy/nanoGPT `model.py`: pre-norm blocks, GELU MLP,
learned positions, tied head) that loads them with `load_state_dict(strict=True)`.
It reads safetensors itself (8-byte header length, JSON header, raw data), so
only torch is needed.

    python3 scripts/load_torch.py model.safetensors [--config model.config.json]
        [--text "Once upon a time"] [--ids 1,5,9] [--out logits.json]

prints the next-token logits for the text (or ids) and, with --out, writes
all logits (T, V) and the scalar head's values as JSON.
"""

import argparse
import json
import math
import struct
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, BOS, EOS, UNK = 0, 1, 2, 3


def read_safetensors(path):
    """Tensors by name (float32) and the metadata dict of a safetensors file."""
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n :]
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            raise ValueError(f"{name}: only F32 is supported, found {entry['dtype']}")
        start, end = entry["data_offsets"]
        buf = bytearray(data[start:end])  # writable, so torch does not warn
        tensors[name] = torch.frombuffer(buf, dtype=torch.float32).reshape(entry["shape"]).clone()
    return tensors, metadata


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head = c["n_head"]
        self.c_attn = nn.Linear(c["n_embd"], 3 * c["n_embd"])
        self.c_proj = nn.Linear(c["n_embd"], c["n_embd"])
        T = c["block_size"]
        self.register_buffer("bias", torch.tril(torch.ones(T, T)).view(1, 1, T, T), persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        hs = C // self.n_head
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))  # (B, nh, T, T)
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        y = F.softmax(att, dim=-1) @ v  # (B, nh, T, hs)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c["n_embd"], 4 * c["n_embd"])
        self.c_proj = nn.Linear(4 * c["n_embd"], c["n_embd"])

    def forward(self, x):
        # GPT-2's tanh approximation, as the playground computes it.
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        eps = c.get("layer_norm_epsilon", 1e-5)
        self.ln_1 = nn.LayerNorm(c["n_embd"], eps=eps)
        self.attn = CausalSelfAttention(c)
        self.ln_2 = nn.LayerNorm(c["n_embd"], eps=eps)
        self.mlp = MLP(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        eps = c.get("layer_norm_epsilon", 1e-5)
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(c["vocab_size"], c["n_embd"]),
                wpe=nn.Embedding(c["block_size"], c["n_embd"]),
                h=nn.ModuleList([Block(c) for _ in range(c["n_layer"])]),
                ln_f=nn.LayerNorm(c["n_embd"], eps=eps),
            )
        )
        self.lm_head = nn.Linear(c["n_embd"], c["vocab_size"], bias=False)
        if c.get("tied_head", True):
            self.lm_head.weight = self.transformer.wte.weight  # weight tying, as GPT-2
        # The value head (policy) or reward head (reward model): linear → 1.
        self.score = nn.Linear(c["n_embd"], 1) if c.get("scalar_head") else None

    def forward(self, idx):
        """Logits (B, T, V) and the scalar head (B, T) or None."""
        B, T = idx.shape
        pos = torch.arange(T, device=idx.device)
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        head = self.score(x).squeeze(-1) if self.score is not None else None
        return self.lm_head(x), head


def load(weights, config=None):
    """The model in eval mode, and its config; `config` defaults to <stem>.config.json."""
    weights = Path(weights)
    if config is None:
        stem = weights.name[: -len(".safetensors")] if weights.name.endswith(".safetensors") else weights.stem
        candidates = [weights.with_name(f"{stem}.config.json"), weights.with_name("config.json")]
        config = next((p for p in candidates if p.exists()), None)
        if config is None:
            raise FileNotFoundError(f"no config next to {weights} (tried {', '.join(map(str, candidates))})")
    c = json.loads(Path(config).read_text())
    tensors, _ = read_safetensors(weights)
    model = GPT(c)
    state = dict(tensors)
    if c.get("tied_head", True):
        state["lm_head.weight"] = state["transformer.wte.weight"]
    model.load_state_dict(state, strict=True)
    return model.eval(), c


def encode(text, c):
    """Character ids as the playground's tokenizer gives them (BOS first; unknown → UNK)."""
    index = {ch: i + 4 for i, ch in enumerate(c["tokenizer"]["chars"])}
    return [BOS] + [index.get(ch, UNK) for ch in text]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("weights")
    ap.add_argument("--config")
    ap.add_argument("--text", default="")
    ap.add_argument("--ids", help="comma-separated token ids (instead of --text)")
    ap.add_argument("--out", help="write {logits, head} as JSON here")
    args = ap.parse_args(argv)
    model, c = load(args.weights, args.config)
    ids = [int(s) for s in args.ids.split(",")] if args.ids else encode(args.text, c)
    with torch.no_grad():
        logits, head = model(torch.tensor([ids], dtype=torch.long))
    result = {"ids": ids, "logits": logits[0].tolist(), "head": None if head is None else head[0].tolist()}
    if args.out:
        Path(args.out).write_text(json.dumps(result))
    chars = c["tokenizer"]["chars"]
    top = torch.topk(logits[0, -1], k=min(5, logits.shape[-1]))
    names = [chars[i - 4] if i >= 4 else ["<pad>", "<bos>", "<eos>", "<unk>"][i] for i in top.indices.tolist()]
    params = sum(p.numel() for p in model.parameters())
    print(f"loaded {params} parameters; next-token top 5: {list(zip(names, [round(v, 3) for v in top.values.tolist()]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
