#!/usr/bin/env python3
"""PyTorch reference numbers for Conure (ConureGoldenTests).

Run (writes conure.safetensors next to this script; deterministic on torch 2.13.0+cpu, safetensors 0.8):

    python3 Tests/ModelsTests/Golden/make_conure_golden.py

An independent tiny Conure (reference/yuan-models.md §5), computed in float64 from float32 parameters:
V 14 item ids (0 = <UNK>: padding and CLS), C 6, k 3, dilations [1, 2] (convs 1, 2, 2, 4), 4 conv
tensors of 3*6*6 = 108 weights. Pre-LN block with zero, frozen conv biases:

    A = Conv_d(ReLU(LN1(H)));  Z = Conv_2d(ReLU(LN2(A)));  H' = H + Z      (LN eps 1e-8, population var)
    causal conv: y[t] = sum_j x[t - (k-1-j)*d] @ w[j],  w [k, C_in, C_out]

Cases (every loss is a mean over rows; grads of frozen parameters are absent):
  t1          task 1 train-and-prune step: sequences [2, 7] left-aligned, row 1 right-padded with 0;
              inputs = columns 0..5, targets = columns 1..6, full softmax over V with target 0 ignored,
              logits = H @ head1.weight + head1.bias. Everything but the conv biases trains.
  masks       M1 = prune(W, frozen = 0, keep = 1 - 0.7), M2 = prune(W, frozen = M1, keep = 0.7 * (1 - 0.7)),
              prune = the reference's save_impwei: c = int(keep * n), theta = top_k(|W*(1-F)|, c+1)[c],
              M = |W*(1-F)| >= theta. (W here stands for the weights after each task's training.)
  t2_*        task 2 on histories [3, 5] with lengths [5, 3, 1]: ids = history, CLS 0 after it, 0s after
              that; user u = H[b, length_b]; head2.weight [9, C]; s(t) = u . head2.weight[t].
              W_eff per conv: train-and-prune: stopgrad(W*M1) + W*(1-M1);
                              retrain:         stopgrad(W*M1) + W*M2.
              L2: + 0.02/2 * sum(head2.weight^2). Trains: the conv weights (through W_eff) and head2.
    t2_tp_bpr       bpr: softplus(s(neg) - s(pos)), fixed negatives
    t2_ret_bpr      the same loss in the retrain phase
    t2_tp_bce       bce: softplus(-s(pos)) + softplus(s(neg))
    t2_tp_softmax   cross-entropy over all 9 targets (id 0 included)
  inference   t1 logits [3, V] at each history's last item with W*M1; t2 scores [3, 9] with W*(M1+M2).
"""
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(2021)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))

V, C, k, T2 = 14, 6, 3, 9
dil = [1, 2]
L2 = 0.02

p32 = {"embedding": torch.randn(V, C) * 0.5}
for i, d in enumerate(dil):
    for j in (1, 2):
        p32[f"block{i}.ln{j}.gamma"] = 1 + 0.1 * torch.randn(C)
        p32[f"block{i}.ln{j}.beta"] = 0.1 * torch.randn(C)
        p32[f"block{i}.conv{j}.weight"] = torch.randn(k, C, C) * 0.3
        p32[f"block{i}.conv{j}.bias"] = torch.zeros(C)
p32["head1.weight"] = torch.randn(C, V) * 0.5
p32["head1.bias"] = torch.randn(V) * 0.2
p32["head2.weight"] = torch.randn(T2, C) * 0.5
convs = [f"block{i}.conv{j}.weight" for i in range(len(dil)) for j in (1, 2)]

seq = torch.randint(1, V, (2, 7))
seq[1, 4:] = 0  # row 1 has 4 items: targets at its last two positions are 0 and ignored
hist = torch.randint(1, V, (3, 5))
lengths = [5, 3, 1]
for r, n in enumerate(lengths):
    hist[r, n:] = 0
targets = torch.randint(1, T2, (3,))
negatives = torch.randint(1, T2, (3, 1))
for r in range(3):
    while negatives[r, 0] == targets[r]:
        negatives[r, 0] = int(torch.randint(1, T2, (1,)))


def prune(w, frozen, keep):
    n = w.numel()
    c = int(keep * n)
    mag = (w * (1 - frozen)).abs()
    theta = torch.topk(mag.reshape(-1), c + 1).values[c]
    return (mag >= theta).to(w.dtype)


M1 = {n: prune(p32[n].double(), torch.zeros_like(p32[n].double()), 1 - 0.7) for n in convs}
M2 = {n: prune(p32[n].double(), M1[n], 0.7 * (1 - 0.7)) for n in convs}


def causal_conv(x, w, b, d):
    y = b.expand(x.shape[0], x.shape[1], -1).clone()
    for j in range(k):
        s = (k - 1 - j) * d
        y = y + F.pad(x, (0, 0, s, 0))[:, : x.shape[1]] @ w[j]
    return y


def ln(x, g, b, eps=1e-8):
    m = x.mean(-1, keepdim=True)
    v = ((x - m) ** 2).mean(-1, keepdim=True)
    return g * (x - m) / torch.sqrt(v + eps) + b


def hidden(p, ids, weff):
    h = p["embedding"][ids]
    for i, d in enumerate(dil):
        a = causal_conv(F.relu(ln(h, p[f"block{i}.ln1.gamma"], p[f"block{i}.ln1.beta"])),
                        weff[f"block{i}.conv1.weight"], p[f"block{i}.conv1.bias"], d)
        z = causal_conv(F.relu(ln(a, p[f"block{i}.ln2.gamma"], p[f"block{i}.ln2.beta"])),
                        weff[f"block{i}.conv2.weight"], p[f"block{i}.conv2.bias"], 2 * d)
        h = h + z
    return h


def user_vectors(p, weff):
    width = max(lengths) + 1
    ids = torch.zeros(3, width, dtype=torch.int64)
    for r, n in enumerate(lengths):
        ids[r, :n] = hist[r, :n]  # CLS = 0 at column n, zeros after it
    h = hidden(p, ids, weff)
    return torch.stack([h[r, n] for r, n in enumerate(lengths)])


def fresh(trainable):
    p = {n: v.double().clone() for n, v in p32.items()}
    for n in trainable:
        p[n].requires_grad_(True)
    return p


def t1_loss(p):
    inp, tgt = seq[:, :-1], seq[:, 1:].reshape(-1)
    h = hidden(p, inp, {n: p[n] for n in convs}).reshape(-1, C)
    return F.cross_entropy(h @ p["head1.weight"] + p["head1.bias"], tgt, ignore_index=0)


def weff_tp(p):
    return {n: (p[n] * M1[n]).detach() + p[n] * (1 - M1[n]) for n in convs}


def weff_ret(p):
    return {n: (p[n] * M1[n]).detach() + p[n] * M2[n] for n in convs}


def t2_loss(kind, weff):
    def fn(p):
        u = user_vectors(p, weff(p))
        w = p["head2.weight"]
        s_pos = (u * w[targets]).sum(-1)
        s_neg = (u * w[negatives[:, 0]]).sum(-1)
        if kind == "bpr":
            loss = F.softplus(s_neg - s_pos).mean()
        elif kind == "bce":
            loss = (F.softplus(-s_pos) + F.softplus(s_neg)).mean()
        else:
            loss = F.cross_entropy(u @ w.T, targets)
        return loss + L2 / 2 * (w ** 2).sum()
    return fn


t1_trainable = [n for n in p32 if n != "head2.weight" and (not n.endswith(".bias") or n == "head1.bias")]
t2_trainable = convs + ["head2.weight"]
cases = {
    "t1": (t1_loss, t1_trainable),
    "t2_tp_bpr": (t2_loss("bpr", weff_tp), t2_trainable),
    "t2_ret_bpr": (t2_loss("bpr", weff_ret), t2_trainable),
    "t2_tp_bce": (t2_loss("bce", weff_tp), t2_trainable),
    "t2_tp_softmax": (t2_loss("softmax", weff_tp), t2_trainable),
}

out = {"input.sequence": seq.to(torch.int32), "input.histories": hist.to(torch.int32),
       "input.lengths": torch.tensor(lengths, dtype=torch.int32), "input.targets": targets.to(torch.int32),
       "input.negatives": negatives.to(torch.int32)}
for n, v in p32.items():
    out[f"param.{n}"] = v.clone()
for n in convs:
    out[f"mask1.{n}"] = M1[n].float()
    out[f"mask2.{n}"] = M2[n].float()
for name, (fn, trainable) in cases.items():
    p = fresh(trainable)
    loss = fn(p)
    loss.backward()
    out[f"{name}.loss"] = loss.detach().float().reshape(1)
    for n in trainable:
        out[f"{name}.grad.{n}"] = p[n].grad.float()

with torch.no_grad():
    p = fresh([])
    w1 = {n: p[n] * M1[n] for n in convs}
    h = hidden(p, hist, w1)
    last = torch.stack([h[r, n - 1] for r, n in enumerate(lengths)])
    out["inference.t1"] = (last @ p["head1.weight"] + p["head1.bias"]).float()
    w12 = {n: p[n] * (M1[n] + M2[n]) for n in convs}
    out["inference.t2"] = (user_vectors(p, w12) @ p["head2.weight"].T).float()

save_file({n: v.contiguous() for n, v in out.items()}, os.path.join(HERE, "conure.safetensors"))
for n in convs:
    print(n, "M1", int(M1[n].sum()), "M2", int(M2[n].sum()))
for name in cases:
    print(name, "loss", float(out[f"{name}.loss"]))
