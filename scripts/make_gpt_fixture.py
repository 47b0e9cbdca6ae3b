"""Float64 reference forward pass of the GPT in src/core/model/gpt.ts, written from
the GPT-2 / nanoGPT definition in numpy. Writes tests/fixtures/gpt-tiny.json:
weights in the (in, out) layout of src/core, token ids, a left-padding mask,
and the expected logits and scalar-head outputs. Also writes the same weights
as tests/fixtures/gpt-tiny.safetensors, packed here by hand from the
safetensors specification (linear weights in PyTorch's (out, in) layout), so
the TypeScript loader is checked against an independent writer.

Run: python3 scripts/make_gpt_fixture.py
"""
import json
import math
import os

import numpy as np

rng = np.random.default_rng(20260101)
V, S, L, H, C = 11, 8, 2, 2, 8  # vocab, context, layers, heads, width
hs = C // H
B, T = 3, 6

w = {}
def param(name, shape, std=0.3):
    w[name] = rng.normal(0.0, std, size=shape)

param('transformer.wte.weight', (V, C))
param('transformer.wpe.weight', (S, C))
for l in range(L):
    h = f'transformer.h.{l}'
    param(f'{h}.ln_1.weight', (C,)); w[f'{h}.ln_1.weight'] += 1
    param(f'{h}.ln_1.bias', (C,), 0.1)
    param(f'{h}.attn.c_attn.weight', (C, 3 * C))
    param(f'{h}.attn.c_attn.bias', (3 * C,), 0.1)
    param(f'{h}.attn.c_proj.weight', (C, C))
    param(f'{h}.attn.c_proj.bias', (C,), 0.1)
    param(f'{h}.ln_2.weight', (C,)); w[f'{h}.ln_2.weight'] += 1
    param(f'{h}.ln_2.bias', (C,), 0.1)
    param(f'{h}.mlp.c_fc.weight', (C, 4 * C))
    param(f'{h}.mlp.c_fc.bias', (4 * C,), 0.1)
    param(f'{h}.mlp.c_proj.weight', (4 * C, C))
    param(f'{h}.mlp.c_proj.bias', (C,), 0.1)
param('transformer.ln_f.weight', (C,)); w['transformer.ln_f.weight'] += 1
param('transformer.ln_f.bias', (C,), 0.1)
param('score.weight', (C, 1))
param('score.bias', (1,), 0.1)

ids = rng.integers(0, V, size=(B, T))
# Row 0: no padding; row 1: two pad tokens on the left; row 2: one.
pad = np.ones((B, T))
pad[1, :2] = 0
pad[2, :1] = 0


def layer_norm(x, g, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-5) * g + b


def gelu(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def forward_row(tok, mask):
    """One sequence. Position ids skip padding; padding keys are not attended to."""
    pos = np.maximum(np.cumsum(mask) - 1, 0).astype(int)
    x = w['transformer.wte.weight'][tok] + w['transformer.wpe.weight'][pos]
    n = len(tok)
    for l in range(L):
        h = f'transformer.h.{l}'
        a = layer_norm(x, w[f'{h}.ln_1.weight'], w[f'{h}.ln_1.bias'])
        qkv = a @ w[f'{h}.attn.c_attn.weight'] + w[f'{h}.attn.c_attn.bias']
        q, k, v = qkv[:, :C], qkv[:, C:2 * C], qkv[:, 2 * C:]
        out = np.zeros((n, C))
        for head in range(H):
            sl = slice(head * hs, (head + 1) * hs)
            att = q[:, sl] @ k[:, sl].T / math.sqrt(hs)
            for i in range(n):
                for j in range(n):
                    if j > i or mask[j] == 0:
                        att[i, j] = -np.inf
            # A pad query attends to nothing real; its output is never used,
            # so give it uniform weights to keep the numbers finite.
            for i in range(n):
                if np.all(np.isinf(att[i])):
                    att[i] = 0.0
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            out[:, sl] = att @ v[:, sl]
        x = x + out @ w[f'{h}.attn.c_proj.weight'] + w[f'{h}.attn.c_proj.bias']
        m = layer_norm(x, w[f'{h}.ln_2.weight'], w[f'{h}.ln_2.bias'])
        f = gelu(m @ w[f'{h}.mlp.c_fc.weight'] + w[f'{h}.mlp.c_fc.bias'])
        x = x + f @ w[f'{h}.mlp.c_proj.weight'] + w[f'{h}.mlp.c_proj.bias']
    x = layer_norm(x, w['transformer.ln_f.weight'], w['transformer.ln_f.bias'])
    logits = x @ w['transformer.wte.weight'].T
    head = (x @ w['score.weight'] + w['score.bias'])[:, 0]
    return logits, head


logits = np.zeros((B, T, V))
heads = np.zeros((B, T))
for b in range(B):
    logits[b], heads[b] = forward_row(ids[b], pad[b])

# Mean next-token cross-entropy over all targets of the unpadded first row.
lsm = logits[0] - np.log(np.exp(logits[0]).sum(-1, keepdims=True))
loss_row0 = -np.mean([lsm[t, ids[0, t + 1]] for t in range(T - 1)])

fixture = {
    'config': {'vocabSize': V, 'blockSize': S, 'nLayer': L, 'nHead': H, 'nEmbd': C,
               'tiedHead': True, 'scalarHead': True},
    'weights': {k: {'shape': list(v.shape), 'data': v.ravel().tolist()} for k, v in w.items()},
    'ids': ids.tolist(),
    'padMask': pad.tolist(),
    'logits': logits.tolist(),
    'head': heads.tolist(),
    'lossRow0': loss_row0,
}
out = os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'gpt-tiny.json')
with open(out, 'w') as f:
    json.dump(fixture, f)
print('wrote', os.path.normpath(out))


# --- safetensors, packed by hand ---
import struct

LINEAR = ('c_attn.weight', 'c_proj.weight', 'c_fc.weight', 'score.weight')
meta = {
    'format': 'rlhf-playground/gpt-v1',
    'config': json.dumps(fixture['config']),
    'tokenizer': json.dumps({'kind': 'char', 'chars': list('abcdefg')}),  # 4 special ids + 7 = V
    'step': '42',
}
header = {'__metadata__': meta}
blobs = []
offset = 0
for name, value in w.items():
    arr = value.T if name.endswith(LINEAR) else value
    data = np.ascontiguousarray(arr, dtype='<f4').tobytes()
    header[name] = {'dtype': 'F32', 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(data)]}
    offset += len(data)
    blobs.append(data)
hbytes = json.dumps(header).encode()
out = os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'gpt-tiny.safetensors')
with open(out, 'wb') as f:
    f.write(struct.pack('<Q', len(hbytes)))
    f.write(hbytes)
    for b in blobs:
        f.write(b)
print('wrote', os.path.normpath(out))
