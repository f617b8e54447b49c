#!/usr/bin/env python3
"""PyTorch reference numbers for NextItNet's training objectives (NextItNetObjectivesGoldenTests).

Run (outputs are written next to this script; deterministic on torch 2.13.0+cpu, safetensors 0.8):

    python3 Tests/ModelsTests/Golden/make_objectives_golden.py

One tiny NextItNet (V 12 ids incl. padding 0, C 6, k 3, dilations [1] = convs 1 and 2, B 2, L 6,
row 1 left-padded so two targets are 0 and ignored), written independently of the Swift code, the
same block as ../../../../shared/golden/make_golden.py. For each objective: the loss (mean over
positions whose target is not 0) and the gradient of every parameter. Negatives are fixed ids
(stored, [B*L, S], 0 at padding positions) so both sides score the same candidates.

  softmax          cross-entropy over all V logits
  sampled_pop      S 4, logits of [positive, negatives] minus log q(id), q = popularity table,
                   cross-entropy with the positive as class 0
  bpr_lambdafm     -log sigmoid(s_pos - s_neg), one negative (LambdaFM ids; q does not enter BPR)
  bce_uniform      -log sigmoid(s_pos) - log(1 - sigmoid(s_neg)), one negative

Sampler tables (float64): sampler.popularity [V] = counts / sum (id 0 -> 0) and sampler.lambdafm [V]:
items 1..V-1 ranked by count descending, ties by smaller id, p ∝ exp(-(rank+1)/(rho*V)), rho 0.3,
assigned to ids explicitly (not by dict order, reference/yuan-models.md §8.10).
"""
import math
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(2024)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))

V, C, k, B, L, S = 12, 6, 3, 2, 6, 4
dil = [1]
counts = [0, 5, 3, 8, 1, 2, 7, 4, 6, 2, 9, 1]  # ties: ids 5, 9 (2) and 4, 11 (1)

popularity = torch.tensor([0.0] + [c / sum(counts[1:]) for c in counts[1:]], dtype=torch.float64)
ranked = sorted(range(1, V), key=lambda i: (-counts[i], i))
lam = [0.0] * V
for rank, item in enumerate(ranked):
    lam[item] = math.exp(-(rank + 1) / (0.3 * V))
lambdafm = torch.tensor(lam, dtype=torch.float64)
lambdafm = lambdafm / lambdafm.sum()

seq = torch.randint(1, V, (B, L + 1))
seq[1, :3] = 0  # left padding: targets at positions (1, 0) and (1, 1) are 0
inp, tgt = seq[:, :-1], seq[:, 1:].reshape(-1)
counted = tgt != 0

p = {"embedding": torch.randn(V, C) * 0.5}
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


def causal_conv(x, w, b, d):  # x [B, L, C]; y[t] = b + sum_j x[t - (k-1-j)*d] @ w[j]
    y = b.expand(x.shape[0], x.shape[1], -1).clone()
    for j in range(k):
        s = (k - 1 - j) * d
        y = y + F.pad(x, (0, 0, s, 0))[:, : x.shape[1]] @ w[j]
    return y


def ln(x, g, b, eps=1e-8):
    m = x.mean(-1, keepdim=True)
    v = ((x - m) ** 2).mean(-1, keepdim=True)
    return g * (x - m) / torch.sqrt(v + eps) + b


def hidden():  # [B*L, C]
    h = p["embedding"][inp]
    for i, d in enumerate(dil):
        a = F.relu(ln(causal_conv(h, p[f"block{i}.conv1.weight"], p[f"block{i}.conv1.bias"], d),
                      p[f"block{i}.ln1.gamma"], p[f"block{i}.ln1.beta"]))
        z = F.relu(ln(causal_conv(a, p[f"block{i}.conv2.weight"], p[f"block{i}.conv2.bias"], 2 * d),
                      p[f"block{i}.ln2.gamma"], p[f"block{i}.ln2.beta"]))
        h = h + z
    return h.reshape(B * L, C)


def draw(table, s):  # fixed negatives [B*L, s] from `table`, never the row's target, 0 at padding
    neg = torch.zeros(B * L, s, dtype=torch.int64)
    for r in range(B * L):
        if tgt[r] == 0:
            continue
        for j in range(s):
            while True:
                n = int(torch.multinomial(table.float(), 1))
                if n != int(tgt[r]):
                    break
            neg[r, j] = n
    return neg


def candidate_scores(neg):  # [R', 1+S]: h · W[:, id] + b[id] for the positive and the negatives
    h = hidden()[counted]
    ids = torch.cat([tgt[counted, None], neg[counted]], dim=1)
    w = p["output.weight"].T[ids]  # [R', 1+S, C]
    return (w @ h[:, :, None]).squeeze(-1) + p["output.bias"][ids], ids


def softmax_loss(_):
    logits = hidden() @ p["output.weight"] + p["output.bias"]
    return F.cross_entropy(logits, tgt, ignore_index=0)


def sampled_pop_loss(neg):
    s, ids = candidate_scores(neg)
    logq = torch.log(popularity[ids]).float()
    return F.cross_entropy(s - logq, torch.zeros(s.shape[0], dtype=torch.int64))


def bpr_loss(neg):
    s, _ = candidate_scores(neg)
    return -F.logsigmoid(s[:, 0] - s[:, 1]).mean()


def bce_loss(neg):
    s, _ = candidate_scores(neg)
    return (-F.logsigmoid(s[:, 0]) - F.logsigmoid(-s[:, 1])).mean()


uniform = torch.tensor([0.0] + [1.0] * (V - 1), dtype=torch.float64)
cases = {
    "softmax": (softmax_loss, torch.zeros(B * L, 0, dtype=torch.int64)),
    "sampled_pop": (sampled_pop_loss, draw(popularity, S)),
    "bpr_lambdafm": (bpr_loss, draw(lambdafm, 1)),
    "bce_uniform": (bce_loss, draw(uniform, 1)),
}

out = {"input.sequence": seq.to(torch.int32), "sampler.popularity": popularity, "sampler.lambdafm": lambdafm,
       "sampler.counts": torch.tensor(counts, dtype=torch.int32)}
for n, v in p.items():
    out[f"param.{n}"] = v.detach().clone()
for name, (fn, neg) in cases.items():
    for t in p.values():
        t.grad = None
    loss = fn(neg)
    loss.backward()
    out[f"{name}.negatives"] = neg.to(torch.int32)
    out[f"{name}.loss"] = loss.detach().reshape(1)
    for n, v in p.items():
        out[f"{name}.grad.{n}"] = v.grad.detach().clone()
    print(f"{name:14s} loss {loss.item():.6f}")

# Cross-check the sampled form: with every other item as a negative and uniform q, the sampled
# softmax is the full softmax (the log-Q shift is the same for all candidates).
everyone = torch.stack([torch.tensor([i for i in range(1, V) if i != int(t)] if t != 0 else [0] * (V - 2))
                        for t in tgt])
s, ids = candidate_scores(everyone)
check = F.cross_entropy(s, torch.zeros(s.shape[0], dtype=torch.int64))
logits = hidden() @ p["output.weight"] + p["output.bias"]
full_without_pad = F.cross_entropy(logits[:, 1:], tgt - 1, ignore_index=-1)
assert abs(check.item() - full_without_pad.item()) < 1e-5, (check.item(), full_without_pad.item())

path = os.path.join(HERE, "objectives.safetensors")
save_file({n: v.contiguous() for n, v in out.items()}, path,
          metadata={"torch_version": torch.__version__, "script": "make_objectives_golden.py"})
print("wrote", path)
