"""Go on training a model exported from the RLHF Playground, in plain PyTorch on CPU.

Two subcommands, both reading the preferences the page exports in TRL's format
(one `{"prompt", "chosen", "rejected"}` object per line) and a model the page
exports (`<name>.safetensors` + `<name>.config.json`, loaded by
scripts/load_torch.py's nanoGPT-style module):

    rm   the reward model, with the Bradley–Terry loss of InstructGPT (Ouyang et
         al. 2022, arXiv 2203.02155, eq. 1): −1/#pairs Σ log σ(r(x,y_w) − r(x,y_l)),
         the pairs of one prompt kept together as one batch element, averaged
         over prompts. The reward is read from the scalar head as the page reads
         it: the mean over the answer's last 8 tokens (`ending`, the default),
         over the whole answer (`mean`), or at its last token (`last`). By
         default only the head trains, on the frozen trunk (as the page does).
    dpo  the policy, with DPO (Rafailov et al. 2023, arXiv 2305.18290, eq. 7)
         −log σ(β[(log π(y_w) − log π_ref(y_w)) − (log π(y_l) − log π_ref(y_l))])
         against a frozen reference (a copy of the starting policy, or
         --reference, e.g. the exported SFT model), or IPO (Azar et al. 2023,
         arXiv 2310.12036, eq. 17) with --loss ipo.

Tokens as the page makes them: the prompt's characters (no BOS), then the
answer's characters and EOS; log π(y|x) sums the answer's tokens only (IPO:
their mean). A pair longer than the context loses prompt tokens from the left
first. Adam (ε 1e-8) with the gradient clipped to norm 1, as the page.

The trained weights are written as the page's checkpoint (the same tensor
names, layout and metadata, its step advanced) with a config.json beside it,
so scripts/load_torch.py and the playground's loader read them. Metrics carry
TRL's names (`loss`, `rewards/chosen`, `rewards/rejected`, `rewards/accuracies`,
`rewards/margins`, `logps/chosen`, `logps/rejected`; the reward model's
`accuracy`), measured before each update; a last pass over all pairs after
training is logged with TRL's `eval_` prefix. The page reads models back inside
a session file: with --session (a session exported from the page) a copy of it
is written with the trained model in it, for the page's Import.

    python3 scripts/continue_torch.py dpo policy.safetensors preferences.jsonl
    python3 scripts/continue_torch.py rm rm.safetensors preferences.jsonl --session my.session.json
"""

import argparse
import base64
import copy
import json
import math
import struct
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in scripts/ for the import below
sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_torch import EOS, encode, load, read_safetensors  # noqa: E402

# Where the reward head is read (src/core/train/reward-head.ts `REWARD_READOUTS`).
READOUTS = ["ending", "mean", "last"]
# The `ending` readout averages the reward head over this many of the answer's
# last tokens (src/core/train/reward-head.ts ENDING_TOKENS).
ENDING_TOKENS = 8
# The page's session files (src/lib/persistence/session-version.ts SESSION_FORMAT).
SESSION_FORMAT = "rlhf-playground/session-v1"


# --- data -------------------------------------------------------------------


def read_preferences(path):
    """The rows of a TRL preference file: dicts with string prompt, chosen, rejected."""
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise SystemExit(f"{path}:{n}: not JSON ({e.msg})")
        if not isinstance(row, dict) or not all(isinstance(row.get(k), str) for k in ("prompt", "chosen", "rejected")):
            raise SystemExit(f"{path}:{n}: expected an object with string prompt, chosen and rejected")
        rows.append(row)
    if not rows:
        raise SystemExit(f"{path}: holds no preference pairs")
    return rows


def text_ids(text, c):
    """Character ids without BOS, as the page encodes prompts and answers."""
    return encode(text, c)[1:]


def answer_ids(text, c):
    """An answer as the page scores and trains it: its characters, then EOS."""
    return text_ids(text, c) + [EOS]


def pack(seqs, max_len):
    """Right-padded ids (B, T), the answer mask (B, T), each row's last index and answer length.

    As src/core/train/batch.ts packSequences: a sequence over `max_len` loses
    prompt tokens from the left (one is kept), then answer tokens from the end.
    """
    rows = []
    for prompt, answer in seqs:
        over = len(prompt) + len(answer) - max_len
        if over > 0:
            cut = min(over, max(0, len(prompt) - 1))
            prompt = prompt[cut:]
            answer = answer[: max_len - len(prompt)]
        rows.append((prompt, answer))
    T = max(len(p) + len(a) for p, a in rows)
    ids = torch.zeros(len(rows), T, dtype=torch.long)  # PAD = 0
    mask = torch.zeros(len(rows), T)
    for b, (p, a) in enumerate(rows):
        ids[b, : len(p) + len(a)] = torch.tensor(p + a, dtype=torch.long)
        mask[b, len(p) : len(p) + len(a)] = 1
    last = [len(p) + len(a) - 1 for p, a in rows]
    lengths = [len(a) for _, a in rows]
    return ids, mask, last, lengths


def batches(n, size, seed):
    """Index lists of `min(size, n)` items, endlessly: a fresh seeded permutation each pass."""
    g = torch.Generator().manual_seed(seed)
    size = min(size, n)
    stream = []
    while True:
        while len(stream) < size:
            stream += torch.randperm(n, generator=g).tolist()
        yield stream[:size]
        stream = stream[size:]


# --- DPO --------------------------------------------------------------------


def response_logps(model, ids, mask, lengths, average):
    """log π(y|x) of each row's answer, (B): Σ over its tokens, or their mean."""
    logits, _ = model(ids)  # (B, T, V)
    lp = F.log_softmax(logits[:, :-1], dim=-1).gather(-1, ids[:, 1:, None]).squeeze(-1)  # (B, T-1)
    sums = (lp * mask[:, 1:]).sum(1)
    return sums / torch.tensor(lengths, dtype=sums.dtype) if average else sums


def dpo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta, loss_type):
    """Mean loss and the implicit rewards β·log π/π_ref of the chosen and rejected answers."""
    chosen_logratios = policy_chosen - ref_chosen
    rejected_logratios = policy_rejected - ref_rejected
    h = chosen_logratios - rejected_logratios
    if loss_type == "sigmoid":
        per_pair = F.softplus(-beta * h)  # −log σ(β·h), without overflow
    else:
        per_pair = (h - 1 / (2 * beta)) ** 2
    return per_pair.mean(), beta * chosen_logratios, beta * rejected_logratios


def dpo_batch(policy, reference, pairs, beta, loss_type, max_len):
    """The loss of a batch of (prompt, chosen, rejected) id lists, and its TRL metrics as tensors."""
    n = len(pairs)
    seqs = [(p, w) for p, w, _ in pairs] + [(p, l) for p, _, l in pairs]  # chosen rows first
    ids, mask, _, lengths = pack(seqs, max_len)
    average = loss_type == "ipo"
    with torch.no_grad():
        ref = response_logps(reference, ids, mask, lengths, average)
    logps = response_logps(policy, ids, mask, lengths, average)
    loss, chosen, rejected = dpo_loss(logps[:n], logps[n:], ref[:n], ref[n:], beta, loss_type)
    metrics = {
        "loss": loss,
        "rewards/chosen": chosen.mean(),
        "rewards/rejected": rejected.mean(),
        "rewards/accuracies": (chosen > rejected).float().mean(),
        "rewards/margins": (chosen - rejected).mean(),
        "logps/chosen": logps[:n].mean(),
        "logps/rejected": logps[n:].mean(),
    }
    return loss, metrics


# --- reward model -----------------------------------------------------------


def preference_groups(rows, c):
    """Pairs grouped by prompt (InstructGPT: one prompt's comparisons are one batch element).

    Each group: (prompt ids, its distinct answers' ids, pairs as (better, worse) answer indices).
    """
    groups = {}
    for row in rows:
        prompt, answers, pairs = groups.setdefault(row["prompt"], (text_ids(row["prompt"], c), {}, []))
        w = answers.setdefault(row["chosen"], len(answers))
        l = answers.setdefault(row["rejected"], len(answers))
        pairs.append((w, l))
    return [(p, [answer_ids(a, c) for a in answers], pairs) for p, answers, pairs in groups.values()]


def rewards(model, seqs, readout, max_len):
    """r(x, y) of each (prompt, answer), (B): the scalar head read as the page reads it."""
    ids, _, last, lengths = pack(seqs, max_len)
    _, head = model(ids)  # (B, T)
    weights = torch.zeros_like(head)
    for b in range(len(seqs)):
        k = 1 if readout == "last" else min(ENDING_TOKENS, lengths[b]) if readout == "ending" else lengths[b]
        weights[b, last[b] - k + 1 : last[b] + 1] = 1 / k
    return (head * weights).sum(1)


def rm_batch(model, groups, readout, max_len):
    """Mean over prompts of −1/#pairs Σ log σ(r_w − r_l), and the share of pairs with r_w > r_l."""
    seqs = [(p, a) for p, answers, _ in groups for a in answers]
    r = rewards(model, seqs, readout, max_len)
    losses, correct, total, offset = [], 0, 0, 0
    for _, answers, pairs in groups:
        w = torch.tensor([offset + i for i, _ in pairs])
        l = torch.tensor([offset + j for _, j in pairs])
        d = r[w] - r[l]
        losses.append(F.softplus(-d).mean())
        correct += int((d > 0).sum())
        total += len(pairs)
        offset += len(answers)
    loss = torch.stack(losses).mean()
    return loss, {"loss": loss, "accuracy": correct / total}


# --- training and writing ---------------------------------------------------


def train(params, batch_loss, steps, lr, log):
    """Adam (ε 1e-8) with the global gradient norm clipped to 1, as the page; metrics before each update."""
    opt = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    for step in range(1, steps + 1):
        opt.zero_grad()
        loss, metrics = batch_loss()
        if not torch.isfinite(loss):
            raise SystemExit(f"step {step}: the loss is {loss.item()}; try a lower --lr")
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(params, max_norm=1.0)
        opt.step()
        log({"step": step, **{k: float(v) for k, v in metrics.items()}, "grad_norm": float(grad_norm)})


def write_checkpoint(model, source, out, steps, about):
    """The model's weights as the page's checkpoint: `source`'s tensor names, order and metadata, step advanced.

    Returns the new step. Weights are float32 little-endian, in PyTorch's
    (out, in) layout as the page writes them; the header is padded with spaces
    so the data starts 8-byte aligned.
    """
    raw = Path(source).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    metadata = dict(header.pop("__metadata__", {}))
    step = int(metadata.get("step", "0")) + steps
    metadata["step"] = str(step)
    extra = json.loads(metadata.get("extra", "{}"))
    extra["pytorch"] = about
    if about["method"] == "rm":
        # The page reads the reward head where it was trained to be read.
        extra["rewardReadout"] = about["readout"]
    metadata["extra"] = json.dumps(extra)
    state = model.state_dict()
    entries, chunks, offset = {"__metadata__": metadata}, [], 0
    for name, entry in header.items():
        t = state[name].detach().to(torch.float32).contiguous()
        if list(t.shape) != entry["shape"]:
            raise SystemExit(f"{name}: the model has shape {list(t.shape)}, the file {entry['shape']}")
        data = t.numpy().astype("<f4").tobytes()
        entries[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(entries, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    Path(out).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    return step


def stem_of(weights):
    name = Path(weights).name
    return name[: -len(".safetensors")] if name.endswith(".safetensors") else Path(weights).stem


def config_path(weights):
    """Where the page puts a checkpoint's config: <stem>.config.json beside it."""
    return Path(weights).with_name(f"{stem_of(weights)}.config.json")


def write_outputs(model, c, args, method, step_count, settings):
    """The trained weights (default <model>-<method>.safetensors) and their config.json."""
    out = Path(args.out) if args.out else Path(args.model).with_name(f"{stem_of(args.model)}-{method}.safetensors")
    about = {"method": method, "steps": step_count, "preferences": Path(args.preferences).name, **settings}
    step = write_checkpoint(model, args.model, out, step_count, about)
    config = {**c, "step": step, "pytorch": about}
    config_path(out).write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out} and {config_path(out).name} (step {step})")
    if args.session:
        name = Path(args.session).name
        stem = name[: -len(".session.json")] if name.endswith(".session.json") else Path(args.session).stem
        session_out = args.session_out or Path(args.session).with_name(f"{stem}-{method}.session.json")
        write_session(args.session, session_out, method, out, step_count)


def write_session(source, out, method, weights, steps):
    """A copy of the page's session file with the trained model in it, for Import on the page.

    The reward model replaces the session's own (and is marked trained). The
    DPO policy becomes the session's fixed starting model (the `sft` slot, from
    which PPO and RRHF start and against which their KL is measured); the PPO
    and RRHF checkpoints, trained from the earlier start, are left out. The
    run's step counts on from the session's checkpoint by `steps`.
    """
    s = json.loads(Path(source).read_text(encoding="utf-8"))
    if not isinstance(s, dict) or s.get("format") != SESSION_FORMAT:
        raise SystemExit(f"{source} is not a playground session file (format {SESSION_FORMAT})")
    session = s.setdefault("session", {})
    checkpoints = s.setdefault("checkpoints", {})
    runs = session.setdefault("runs", {})
    data = base64.b64encode(Path(weights).read_bytes()).decode("ascii")
    slot = "rm" if method == "rm" else "sft"
    before = checkpoints.get(slot, {}).get("step", 0)
    step = (before if isinstance(before, int) else 0) + steps
    checkpoints[slot] = {"step": step, "fixed": slot == "sft", "data": data}
    total = runs.get(slot, {}).get("total", 0)
    runs[slot] = {"step": step, "total": max(step, total if isinstance(total, int) else 0)}
    if slot == "rm":
        session["rmReady"] = True
    else:
        session["sftFixed"] = True
        for run in ("ppo", "rrhf"):
            checkpoints.pop(run, None)
            runs[run] = {"step": 0, "total": 0}
    name = session.get("name") if isinstance(session.get("name"), str) else "Session"
    suffix = f" + PyTorch {method.upper()}"
    session["name"] = name[: 120 - len(suffix)] + suffix
    Path(out).write_text(json.dumps(s), encoding="utf-8")
    print(f"wrote {out}: import it on the page (Export / import, a session file)")


class MetricLog:
    """Prints each record in one line and appends it to --metrics as JSON Lines."""

    def __init__(self, path, stage):
        self.stage = stage
        self.file = open(path, "w", encoding="utf-8") if path else None

    def __call__(self, record):
        record = {"stage": self.stage, **record}
        if self.file:
            self.file.write(json.dumps(record) + "\n")
            self.file.flush()
        fields = [(k, v) for k, v in record.items() if k != "stage"]
        shown = "  ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in fields)
        print(f"{self.stage}  {shown}")

    def close(self):
        if self.file:
            self.file.close()


def check_same_vocabulary(c, other, what):
    if c["tokenizer"]["chars"] != other["tokenizer"]["chars"]:
        raise SystemExit(f"{what} has another vocabulary than the policy")


def run_dpo(args):
    policy, c = load(args.model, args.config)
    if args.reference:
        reference, rc = load(args.reference)
        check_same_vocabulary(c, rc, "--reference")
    else:
        reference = copy.deepcopy(policy)  # the starting policy, frozen
        rc = c
    for p in reference.parameters():
        p.requires_grad_(False)
    rows = read_preferences(args.preferences)
    pairs = [(text_ids(r["prompt"], c), answer_ids(r["chosen"], c), answer_ids(r["rejected"], c)) for r in rows]
    if any(len(p) == 0 for p, _, _ in pairs):
        raise SystemExit("a pair has an empty prompt: the first answer token needs a token before it")
    max_len = min(c["block_size"], rc["block_size"])
    log = MetricLog(args.metrics, "dpo")
    print(
        f"dpo: {len(pairs)} pairs, β {args.beta}, {args.loss}, lr {args.lr}, "
        f"{args.batch_size} pairs a step, {args.steps} steps"
    )
    order = batches(len(pairs), args.batch_size, args.seed)

    def batch_loss():
        return dpo_batch(policy, reference, [pairs[i] for i in next(order)], args.beta, args.loss, max_len)

    params = [p for p in policy.parameters() if p.requires_grad]
    train(params, batch_loss, args.steps, args.lr, log)
    with torch.no_grad():
        _, metrics = dpo_batch(policy, reference, pairs, args.beta, args.loss, max_len)
    log({"step": args.steps, **{f"eval_{k}": float(v) for k, v in metrics.items()}})
    log.close()
    settings = {"beta": args.beta, "loss": args.loss, "lr": args.lr, "batch_size": args.batch_size}
    if args.reference:
        settings["reference"] = Path(args.reference).name
    write_outputs(policy, c, args, "dpo", args.steps, settings)


def checkpoint_extra(source):
    """The page's `extra` metadata of a checkpoint: what it knows of the model beyond its weights."""
    _, metadata = read_safetensors(source)
    return json.loads(metadata.get("extra", "{}"))


def run_rm(args):
    model, c = load(args.model, args.config)
    if model.score is None:
        raise SystemExit(f"{args.model} has no scalar (reward) head: export the reward model")
    if args.readout is None:
        # Where the page trained this head to be read; the ending where it names nowhere.
        args.readout = checkpoint_extra(args.model).get("rewardReadout", "ending")
        if args.readout not in READOUTS:
            raise SystemExit(f"{args.model} names the readout {args.readout!r}; expected one of {', '.join(READOUTS)}")
    groups = preference_groups(read_preferences(args.preferences), c)
    max_len = c["block_size"]
    log = MetricLog(args.metrics, "rm")
    n_pairs = sum(len(g[2]) for g in groups)
    print(
        f"rm: {n_pairs} pairs of {len(groups)} prompts, {args.readout} readout, trains {args.trains}, "
        f"lr {args.lr}, {args.batch_size} prompts a step, {args.steps} steps"
    )
    order = batches(len(groups), args.batch_size, args.seed)

    def batch_loss():
        return rm_batch(model, [groups[i] for i in next(order)], args.readout, max_len)

    if args.trains == "head":
        for p in model.parameters():
            p.requires_grad_(False)
        for p in model.score.parameters():
            p.requires_grad_(True)
    params = [p for p in model.parameters() if p.requires_grad]
    train(params, batch_loss, args.steps, args.lr, log)
    with torch.no_grad():
        _, metrics = rm_batch(model, groups, args.readout, max_len)
    log({"step": args.steps, **{f"eval_{k}": float(v) for k, v in metrics.items()}})
    log.close()
    settings = {"readout": args.readout, "trains": args.trains, "lr": args.lr, "batch_size": args.batch_size}
    write_outputs(model, c, args, "rm", args.steps, settings)


def positive(kind):
    def parse(s):
        v = kind(s)
        if not (v > 0 and math.isfinite(v)):
            raise argparse.ArgumentTypeError(f"{s} is not a positive number")
        return v

    return parse


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Go on training a model exported from the RLHF Playground, in PyTorch on CPU: "
        "the reward model (Bradley–Terry) or the policy (DPO) on the exported preferences.",
        epilog="Each subcommand has its own --help.",
    )
    sub = ap.add_subparsers(dest="command", required=True, metavar="{rm,dpo}")

    def common(p, what, lr, batch, batch_what, steps):
        p.add_argument("model", help=f"the exported {what} (.safetensors; its .config.json beside it)")
        p.add_argument("preferences", help="the exported preferences, TRL's {prompt, chosen, rejected} JSON Lines")
        p.add_argument("--config", help="the model's config.json (default: <model>.config.json)")
        p.add_argument("-o", "--out", help="the trained weights (default: <model>-<command>.safetensors)")
        p.add_argument("--lr", type=positive(float), default=lr, help=f"Adam's learning rate (default {lr})")
        p.add_argument("--batch-size", type=positive(int), default=batch, help=f"{batch_what} a step (default {batch})")
        p.add_argument("--steps", type=positive(int), default=steps, help=f"updates (default {steps})")
        p.add_argument("--seed", type=int, default=0, help="seed of the batch order (default 0)")
        p.add_argument("--metrics", help="also write the metrics here, one JSON object per line")
        p.add_argument(
            "--session",
            help="a session file exported from the page: write a copy with the trained model in it, to import back",
        )
        p.add_argument("--session-out", help="where to write that copy (default: <session>-<command>.session.json)")

    dpo = sub.add_parser(
        "dpo",
        help="train the policy with DPO (or IPO) against a frozen reference",
        description="Train the policy with DPO (or IPO) on every pair, against a frozen reference. "
        "Defaults are the page's.",
    )
    common(dpo, "policy", 5e-5, 8, "pairs", 40)
    dpo.add_argument("--beta", type=positive(float), default=0.5, help="DPO's β (IPO's τ) (default 0.5)")
    dpo.add_argument("--loss", choices=["sigmoid", "ipo"], default="sigmoid", help="sigmoid (DPO, default) or ipo")
    dpo.add_argument(
        "--reference",
        help="the frozen reference π_ref, e.g. the exported SFT model (default: a copy of the starting policy)",
    )

    rm = sub.add_parser(
        "rm",
        help="train the reward model with the Bradley–Terry (InstructGPT) loss",
        description="Train the reward model with InstructGPT's pairwise loss, each prompt's pairs "
        "in one batch element. Defaults are the page's.",
    )
    common(rm, "reward model", 1e-2, 8, "prompts", 60)
    rm.add_argument(
        "--readout",
        choices=READOUTS,
        default=None,
        help="where the reward is read: the mean over the answer's last 8 tokens, over the whole "
        "answer, or its last token (default: where the page read this reward model, the ending "
        "for a model that names nowhere)",
    )
    rm.add_argument(
        "--trains",
        choices=["head", "all"],
        default="head",
        help="only the reward head on the frozen trunk (default; lr about 1e-2) or the whole model (lr about 5e-4)",
    )

    args = ap.parse_args(argv)
    torch.manual_seed(args.seed)
    (run_dpo if args.command == "dpo" else run_rm)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
