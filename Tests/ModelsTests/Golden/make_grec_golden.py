#!/usr/bin/env python3
"""PyTorch reference numbers for GRec's cloze (masked-item) loss (GRecGoldenTests).

Run (outputs are written next to this script; deterministic on torch 2.13.0+cpu, safetensors 0.8):

    python3 Tests/ModelsTests/Golden/make_grec_golden.py

An independent tiny GRec encoder (reference/yuan-models.md §3.1) in PyTorch, float64: V 12 ids
(0 = padding) plus a dedicated mask token id 12 (an input-only embedding row, SeqLab's departure
from the reference's id 0), C 6, k 3, dilations [1, 2] (convolutions at 1, 2, 2, 4), layer-norm eps
1e-8, B 3 rows of L 8, left-padded (real lengths 8, 5, 3), parameters far from initialisation.

  block     A = ReLU(LN1(conv_d(H))), Z = ReLU(LN2(conv_2d(A))), H' = H + Z
  conv      non-causal ("same"), computed with F.conv1d(padding=d, dilation=d) channels-first:
            y[t] = b + W[0] x[t-d] + W[1] x[t] + W[2] x[t+d], zero outside the row
  loss      mean over the masked positions of cross-entropy(H[p] · W_out + b_out, original id)
  scores    the history shifted left by one with the mask token in the last column; the hidden
            state there times W_out plus b_out, over all V ids (GRec's create_endmask)

Masking. The case `drawn` masks the rows with the stream "masking" of seed 4 through a Python
transcription of SeqLab's generator (../../TensorsTests/Golden/make_random_golden.py) and of the
rule in ClozeMasking (per row: n = non-padding positions, count = min(maxPredictions,
max(1, round-half-away(n · p)), n), a partial Fisher–Yates over the eligible positions, then per
chosen position in ascending order u = nextDouble(): u < 0.8 mask token, u < 0.9 a random item
1 + int(below V − 1), else kept), with p 0.5 so that each row has several. The seed was picked so
that all three outcomes occur (asserted below; seeds 0 to 3 each miss one of them). The case `fixed` is hand-written: row 0 masks
positions 1 and 6, row 1 replaces position 4 by item 9, row 2 keeps position 7.
"""
import os
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "TensorsTests", "Golden"))
from make_random_golden import Xoshiro256StarStar  # noqa: E402

torch.manual_seed(7)
torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

V, C, k, B, L = 12, 6, 3, 3, 8
MASK = V
dil = [1, 2]
P, MAX_PREDICTIONS, MASK_SHARE, RANDOM_SHARE = 0.5, 30, 0.8, 0.1

sequence = torch.randint(1, V, (B, L))
sequence[1, :3] = 0
sequence[2, :5] = 0

p = {"embedding": torch.randn(V + 1, C) * 0.5}
for i, d in enumerate(dil):
    for j in (1, 2):
        p[f"block{i}.conv{j}.weight"] = torch.randn(k, C, C) * 0.3  # [tap, C_in, C_out]
        p[f"block{i}.conv{j}.bias"] = torch.randn(C) * 0.1
        p[f"block{i}.ln{j}.gamma"] = 1 + 0.1 * torch.randn(C)
        p[f"block{i}.ln{j}.beta"] = 0.1 * torch.randn(C)
p["output.weight"] = torch.randn(C, V) * 0.5
p["output.bias"] = torch.randn(V) * 0.2
for t in p.values():
    t.requires_grad_(True)


def same_conv(x, w, b, d):  # x [B, L, C], w [k, C_in, C_out]
    y = F.conv1d(x.transpose(1, 2), w.permute(2, 1, 0), b, padding=d * (k - 1) // 2, dilation=d)
    return y.transpose(1, 2)


def ln(x, g, b, eps=1e-8):
    return F.layer_norm(x, (x.shape[-1],), g, b, eps)


def hidden(ids):  # [B, L] -> [B, L, C]
    h = p["embedding"][ids]
    for i, d in enumerate(dil):
        a = F.relu(ln(same_conv(h, p[f"block{i}.conv1.weight"], p[f"block{i}.conv1.bias"], d),
                      p[f"block{i}.ln1.gamma"], p[f"block{i}.ln1.beta"]))
        z = F.relu(ln(same_conv(a, p[f"block{i}.conv2.weight"], p[f"block{i}.conv2.bias"], 2 * d),
                      p[f"block{i}.ln2.gamma"], p[f"block{i}.ln2.beta"]))
        h = h + z
    return h


def round_half_away(x):
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


def draw_masking(seed, name):
    rng = Xoshiro256StarStar.named(seed, name)
    inputs = sequence.clone()
    positions, targets, kinds = [], [], []
    for r in range(B):
        eligible = [t for t in range(L) if int(sequence[r, t]) != 0]
        if not eligible:
            continue
        count = min(MAX_PREDICTIONS, max(1, round_half_away(len(eligible) * P)), len(eligible))
        for i in range(count):
            j = i + rng.int_below(len(eligible) - i)
            eligible[i], eligible[j] = eligible[j], eligible[i]
        for t in sorted(eligible[:count]):
            positions.append(r * L + t)
            targets.append(int(sequence[r, t]))
            u = rng.next_double()
            if u < MASK_SHARE:
                inputs[r, t] = MASK
                kinds.append("mask")
            elif u < MASK_SHARE + RANDOM_SHARE:
                inputs[r, t] = 1 + rng.int_below(V - 1)
                kinds.append("random")
            else:
                kinds.append("kept")
    return inputs, positions, targets, kinds


def fixed_masking():
    inputs = sequence.clone()
    positions = [0 * L + 1, 0 * L + 6, 1 * L + 4, 2 * L + 7]
    inputs[0, 1] = MASK
    inputs[0, 6] = MASK
    inputs[1, 4] = 9
    return inputs, positions, [int(sequence.reshape(-1)[q]) for q in positions]


def cloze_loss(inputs, positions, targets):
    h = hidden(inputs).reshape(B * L, C)[torch.tensor(positions)]
    logits = h @ p["output.weight"] + p["output.bias"]
    return F.cross_entropy(logits, torch.tensor(targets))


drawn_inputs, drawn_positions, drawn_targets, kinds = draw_masking(4, "masking")
assert {"mask", "random", "kept"} <= set(kinds), kinds

out = {"input.sequence": sequence.to(torch.int32)}
for n, v in p.items():
    out[f"param.{n}"] = v.detach().clone()
cases = {"drawn": (drawn_inputs, drawn_positions, drawn_targets), "fixed": fixed_masking()}
for name, (inputs, positions, targets) in cases.items():
    for t in p.values():
        t.grad = None
    loss = cloze_loss(inputs, positions, targets)
    loss.backward()
    out[f"{name}.inputs"] = inputs.to(torch.int32)
    out[f"{name}.positions"] = torch.tensor(positions, dtype=torch.int32)
    out[f"{name}.targets"] = torch.tensor(targets, dtype=torch.int32)
    out[f"{name}.loss"] = loss.detach().reshape(1)
    for n, v in p.items():
        out[f"{name}.grad.{n}"] = v.grad.detach().clone()

# Next-item scores through the mask slot.
with torch.no_grad():
    shifted = torch.cat([sequence[:, 1:], torch.full((B, 1), MASK)], dim=1)
    out["predict.inputs"] = shifted.to(torch.int32)
    out["predict.scores"] = hidden(shifted)[:, -1] @ p["output.weight"] + p["output.bias"]

out = {n: (v.float() if v.dtype == torch.float64 else v).contiguous() for n, v in out.items()}
save_file(out, os.path.join(HERE, "grec.safetensors"), metadata={"torch_version": torch.__version__,
                                                                  "script": "make_grec_golden.py"})
print("drawn masking:", len(drawn_positions), "positions,", kinds)
print("losses:", float(out["drawn.loss"]), float(out["fixed.loss"]))
