#!/usr/bin/env python3
"""PyTorch reference numbers for PeterRec's fine-tuning step (PeterRecGoldenTests).

Run (outputs are written next to this script; deterministic on torch 2.13.0+cpu, safetensors 0.8):

    python3 Tests/ModelsTests/Golden/make_peterrec_golden.py

Written from the formulas of ../../../../shared/reference/yuan-models.md §2.1, §3.1 and §4, not from
the Swift code. Everything is computed in float64 from float32 parameters and stored as float32.

Sizes: backbone vocabulary V 12 (id 0 = padding and the causal CLS) plus one input-only row, id 12 =
GRec's mask token and the non-causal CLS (issue 21: the original's non-causal CLS is GRec's trained
[MASK]), so the embedding has 13 rows; C 8, kernel k 3, dilations [1, 2] (two
blocks, conv dilations 1, 2 and 2, 4), patch width h 2, target vocabulary T 6 (row 0 = padding,
targets 1..5), B 3 source histories of lengths 5, 3 and 1 (maxLength 5). Parameters are drawn far
from the 0.02 initialisation (patches with std 0.5, biases non-zero, layer norm gains away from 1)
so that every term matters.

Input rows (§4.3; rows left-aligned, padded with 0 on the right to one width):
  causal      [s_1 .. s_n, CLS, 0 ..]        width maxLength + 1 = 6, user vector h = H[n], CLS = id 0
  non-causal  [CLS, s_1 .. s_n, CLS, 0 ..]   width maxLength + 2 = 7, user vector h = H[0] + H[n + 1],
                                             CLS = id 12 (the mask token)
Every id, 0 included, is an ordinary embedding row (no padding index).

Backbone (§2.1), per block i with dilation d_i, H0 = E[ids] (E [V, C]):
  A  = ReLU(LN1(P1(H)))      Z = ReLU(LN2(P2(A)))      H' = H + Z
  plain      P(x) = Conv(x)
  serial     P(x) = MP(Conv(x))                         (§4.2, ops.peter_2mp_serial)
  parallel   P(x) = Conv(x) + MP(x)                     (§4.2, ops.peter_2mp_parallel)
  Conv1 has dilation d_i, Conv2 dilation 2 d_i, weights W [k, C_in, C_out], bias b [C]:
  causal     Conv(X)[t] = b + sum_j X[t - (k-1-j) d] @ W[j]                  (X outside [0, L) = 0)
  non-causal Conv(X)[t] = b + X[t-d] @ W[0] + X[t] @ W[1] + X[t+d] @ W[2]    (SAME padding, §3.1)
  LN(z) = gamma (z - mean_C z) / sqrt(var_C z + 1e-8) + beta     (population variance)
Model patch (§4.1): MP(z) = z + GELU(z @ Wd + bd) @ Wu + bu, Wd [C, h], bd [h], Wu [h, C], bu [C],
  GELU(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
Each block has two patches, patch1 (at conv1) and patch2 (at conv2).

Head and losses (§4.3, §4.5): s(u, t) = h_u . E_t[t], E_t [T, C], no bias; y_b = target of row b,
n_b = its one fixed negative (stored); reg = (l2 / 2) ||E_t||_F^2 over the whole table, l2 = 0.02.
  bce      mean_b [ -log(sigmoid(s(b, y_b)) + 1e-24) - log(1 - sigmoid(s(b, n_b)) + 1e-24) ] + reg
  bpr      mean_b [ -log sigmoid(s(b, y_b) - s(b, n_b)) ] + reg
  softmax  mean_b [ logsumexp_{t in 0..T-1} s(b, t) - s(b, y_b) ] + reg      (all T columns, 0 included)

Cases: serial_bce, parallel_bpr, serial_softmax (causal NextItNet backbone) and noncausal_parallel_bce
(GRec encoder backbone). One parameter set serves all four. Every parameter's gradient is stored
(nothing frozen: freezing is tested elsewhere); the backbone's pretrained softmax is not part of a
PeterRec and is not stored.

File: input.histories int32 [3, 5] (right-padded with 0), input.lengths int32 [3], input.targets /
input.negatives.<loss> int32 [3], input.ids.causal int32 [3, 6], input.read.causal int32 [3, 1],
input.ids.noncausal int32 [3, 7], input.read.noncausal int32 [3, 2], param.<name>, and per case
<case>.user [3, C], <case>.loss [1], <case>.grad.<name>.
"""
import math
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(20200725)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
D = torch.float64

V, C, k, H, T = 12, 8, 3, 2, 6
MASK = V                                                 # GRec's mask token: the non-causal CLS
dil = [1, 2]
MAXLEN = 5
EPS = 1e-8
L2 = 0.02

histories = [[4, 7, 2, 11, 7], [9, 1, 5], [3]]           # item 7 repeated, lengths 5, 3, 1
targets = torch.tensor([3, 1, 3])                        # target 3 shared by rows 0 and 2
negatives = {"bce": torch.tensor([5, 2, 1]), "bpr": torch.tensor([2, 4, 2])}   # never the row's target
B = len(histories)


def layout(causal):
    """Input rows [B, W] and the read columns per row (§4.3)."""
    width = MAXLEN + 1 if causal else MAXLEN + 2
    rows, reads = [], []
    for s in histories:
        s = s[-MAXLEN:]
        if causal:
            row, read = s + [0], [len(s)]
        else:
            row, read = [MASK] + s + [MASK], [0, len(s) + 1]
        rows.append(row + [0] * (width - len(row)))
        reads.append(read)
    return torch.tensor(rows), torch.tensor(reads)


# ---- parameters (float32 values, names as the Swift model names them) ----
p = {"embedding": torch.randn(V + 1, C) * 0.7}           # row V: the mask token
for i in range(len(dil)):
    for j in (1, 2):
        p[f"block{i}.conv{j}.weight"] = torch.randn(k, C, C) * 0.3     # [tap, C_in, C_out]
        p[f"block{i}.conv{j}.bias"] = torch.randn(C) * 0.1
        p[f"block{i}.ln{j}.gamma"] = 1 + 0.2 * torch.randn(C)
        p[f"block{i}.ln{j}.beta"] = 0.1 * torch.randn(C)
for i in range(len(dil)):
    for j in (1, 2):
        p[f"block{i}.patch{j}.down.weight"] = torch.randn(C, H) * 0.5
        p[f"block{i}.patch{j}.down.bias"] = torch.randn(H) * 0.2
        p[f"block{i}.patch{j}.up.weight"] = torch.randn(H, C) * 0.5
        p[f"block{i}.patch{j}.up.bias"] = torch.randn(C) * 0.2
p["target.embedding"] = torch.randn(T, C) * 0.5
p = {n: v.float() for n, v in p.items()}                 # the stored values
q = {n: v.to(D).requires_grad_(True) for n, v in p.items()}   # what the reference differentiates


def conv(x, w, b, d, causal):
    """x [B, L, C_in], w [k, C_in, C_out] -> [B, L, C_out]; tap j reads x[t + off_j] (0 outside)."""
    L = x.shape[1]
    y = b.expand(x.shape[0], L, -1)
    for j in range(k):
        off = -(k - 1 - j) * d if causal else (j - (k - 1) // 2) * d
        shifted = torch.zeros_like(x)
        lo, hi = max(0, -off), min(L, L - off)           # t with 0 <= t + off < L
        if lo < hi:
            shifted[:, lo:hi] = x[:, lo + off:hi + off]
        y = y + shifted @ w[j]
    return y


def ln(x, g, b):
    m = x.mean(-1, keepdim=True)
    v = ((x - m) ** 2).mean(-1, keepdim=True)
    return g * (x - m) / torch.sqrt(v + EPS) + b


def gelu(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def mp(z, prefix):
    return z + gelu(z @ q[f"{prefix}.down.weight"] + q[f"{prefix}.down.bias"]) @ q[f"{prefix}.up.weight"] \
        + q[f"{prefix}.up.bias"]


def branch(x, i, j, d, insertion, causal):
    c = conv(x, q[f"block{i}.conv{j}.weight"], q[f"block{i}.conv{j}.bias"], d, causal)
    if insertion == "serial":
        c = mp(c, f"block{i}.patch{j}")
    elif insertion == "parallel":
        c = c + mp(x, f"block{i}.patch{j}")
    return F.relu(ln(c, q[f"block{i}.ln{j}.gamma"], q[f"block{i}.ln{j}.beta"]))


def hidden(ids, insertion, causal):                      # [B, W, C]
    h = q["embedding"][ids]
    for i, d in enumerate(dil):
        a = branch(h, i, 1, d, insertion, causal)
        z = branch(a, i, 2, 2 * d, insertion, causal)
        h = h + z
    return h


def user(insertion, causal):                             # [B, C]
    ids, reads = layout(causal)
    h = hidden(ids, insertion, causal)
    rows = torch.arange(B)
    u = h[rows, reads[:, 0]]
    if not causal:
        u = u + h[rows, reads[:, 1]]
    return u


def loss_of(u, kind):
    s = u @ q["target.embedding"].T                      # [B, T]
    rows = torch.arange(B)
    pos = s[rows, targets]
    if kind == "bce":
        neg = s[rows, negatives["bce"]]
        data = (-torch.log(torch.sigmoid(pos) + 1e-24) - torch.log(1 - torch.sigmoid(neg) + 1e-24)).mean()
    elif kind == "bpr":
        neg = s[rows, negatives["bpr"]]
        data = -torch.log(torch.sigmoid(pos - neg)).mean()
    else:
        data = (torch.logsumexp(s, dim=1) - pos).mean()
    return data + L2 / 2 * (q["target.embedding"] ** 2).sum()


# ---- independent cross-checks of the building blocks ----
x = torch.randn(2, 7, C, dtype=D)
w = torch.randn(k, C, C, dtype=D)
b = torch.randn(C, dtype=D)
for d in (1, 2, 4):
    tw = w.permute(2, 1, 0)                              # [C_out, C_in, k] for F.conv1d
    ref_c = F.conv1d(F.pad(x.transpose(1, 2), ((k - 1) * d, 0)), tw, b, dilation=d).transpose(1, 2)
    ref_n = F.conv1d(x.transpose(1, 2), tw, b, dilation=d, padding="same").transpose(1, 2)
    assert torch.allclose(conv(x, w, b, d, True), ref_c, atol=1e-12)
    assert torch.allclose(conv(x, w, b, d, False), ref_n, atol=1e-12)
assert torch.allclose(gelu(x), F.gelu(x, approximate="tanh"), atol=1e-12)
assert torch.allclose(ln(x, torch.ones(C, dtype=D), torch.zeros(C, dtype=D)),
                      F.layer_norm(x, (C,), eps=EPS), atol=1e-10)
with torch.no_grad():                                    # causal: what follows CLS changes nothing read
    ids, reads = layout(True)
    noisy = ids.clone()
    for r, n in enumerate(reads[:, 0]):
        noisy[r, n + 1:] = torch.randint(1, V, (ids.shape[1] - n - 1,))
    for ins in ("serial", "parallel"):
        a, b2 = hidden(ids, ins, True), hidden(noisy, ins, True)
        rows = torch.arange(B)
        assert torch.equal(a[rows, reads[:, 0]], b2[rows, reads[:, 0]])

cases = {
    "serial_bce": ("serial", True, "bce"),
    "parallel_bpr": ("parallel", True, "bpr"),
    "serial_softmax": ("serial", True, "softmax"),
    "noncausal_parallel_bce": ("parallel", False, "bce"),
}

ids_c, read_c = layout(True)
ids_n, read_n = layout(False)
out = {
    "input.histories": torch.tensor([s + [0] * (MAXLEN - len(s)) for s in histories], dtype=torch.int32),
    "input.lengths": torch.tensor([len(s) for s in histories], dtype=torch.int32),
    "input.targets": targets.to(torch.int32),
    "input.negatives.bce": negatives["bce"].to(torch.int32),
    "input.negatives.bpr": negatives["bpr"].to(torch.int32),
    "input.ids.causal": ids_c.to(torch.int32), "input.read.causal": read_c.to(torch.int32),
    "input.ids.noncausal": ids_n.to(torch.int32), "input.read.noncausal": read_n.to(torch.int32),
}
for n, v in p.items():
    out[f"param.{n}"] = v.clone()
for name, (ins, causal, kind) in cases.items():
    for t in q.values():
        t.grad = None
    u = user(ins, causal)
    loss = loss_of(u, kind)
    loss.backward()
    out[f"{name}.user"] = u.detach().float()
    out[f"{name}.loss"] = loss.detach().reshape(1).float()
    for n, v in q.items():
        assert v.grad is not None, (name, n)
        out[f"{name}.grad.{n}"] = v.grad.detach().float()
    # the unpatched backbone, to show the patches matter in this case
    with torch.no_grad():
        plain = loss_of(user(None, causal), kind).item()
    gmin = min(v.grad.abs().max().item() for v in q.values())
    print(f"{name:24s} loss {loss.item():.6f} (unpatched {plain:.6f}), smallest per-tensor max |grad| {gmin:.3g}")

# Autograd against finite differences on one case, in float64.
def f(*flat):
    saved = dict(q)
    for n, v in zip(q, flat):
        q[n] = v
    try:
        return loss_of(user("parallel", False), "bce")
    finally:
        q.update(saved)


assert torch.autograd.gradcheck(f, tuple(v.detach().clone().requires_grad_(True) for v in q.values()),
                                eps=1e-6, atol=1e-6)

path = os.path.join(HERE, "peterrec.safetensors")
save_file({n: v.contiguous() for n, v in out.items()}, path,
          metadata={"torch_version": torch.__version__, "script": "make_peterrec_golden.py"})
print("wrote", path)
