#!/usr/bin/env python3
"""PyTorch reference numbers for VQ-Rec's training steps (VQRecGoldenTests).

Run (the output is written next to this script; deterministic on torch 2.13.0+cpu, safetensors 0.8):

    python3 Tests/ModelsTests/Golden/make_vqrec_golden.py

Written from the formulas of ../../../../shared/reference/text-models.md §1 (the RecBole SASRec
encoder) and §5 (VQ-Rec), not from the Swift code. Everything is computed in float64 from float32
parameters and stored as float32. Dropout is off (rate 0); the Gumbel noise of the permutation and
the semi-synthetic codes are drawn here and stored as inputs, so both sides use the same draws.

Sizes: N 9 item ids (row 0 = padding, items 1..8), D 3 code positions of K 4 centroids (table
D*(K+1) = 15 rows), hidden H 8, 2 heads, inner 12, 2 layers, max length 6, tau 0.07, Sinkhorn 3
rounds at temperature 0.7, B 4 histories of lengths 5, 3, 1, 4 (item 2 twice in row 0), targets
3, 7, 3, 5 (rows 0 and 2 share a target). Parameters are drawn far from initialisation (random
padding row 0 of the code table, as RecBole's init leaves it; layer-norm gains away from 1).

Codes (§5.1, §5.2): raw codes c[i, m] in 0..K-1, row 0 zeros; table row of code m of item i is
c + 1 + m*(K+1), the padding item reads row 0 at every position.
  e_i = mean_m T[row(i, m)]   (torch: F.embedding(rows, T, padding_idx=0).mean(-2))
Encoder (§1): x = e[ids] + E_pos[0..L-1]; x = LN(x) (eps 1e-12); per layer: q, k, v = x W + b;
  s = q_h k_h^T / sqrt(H / heads) + mask (-10000 where the key is padding or after the query);
  a = LN1(softmax(s) v W_o + b_o + x); y = LN2(GELU_erf(a W1 + b1) W2 + b2 + a); h = x[b, len_b - 1]

Permutation (§5.4), M [D, K+1, K+1], G Gumbel noise [D, K+1, K+1] (stored):
  r = (log(exp(M) + 1e-6) + G) / 0.7; 3 x { r -= logsumexp(r, -1); r -= logsumexp(r, -2) }; P = exp(r)
  released: Hard = ceil(differentiable_topk(P.reshape(-1, K+1), 1))  (the reference's code: softmax
            of each row, its top-1 value scattered into zeros, ceil -> one-hot; ceil's derivative is 0)
  learned:  Hard = onehot(argmax P) + P - P.detach()   (straight-through: forward hard, backward dP = dHard)
  T' = bmm(Hard, T.reshape(D, K+1, H)).reshape(-1, H); lookups read T' with padding_idx 0.

Cases (loss and the gradient of every parameter, all requiring grad):
  pretrain   s = normalize(h), e+ = normalize(mean T[rows(target)]), e~ = normalize(mean T[fake rows]),
             same[i, j] = target_i == target_j and i != j;
             loss = mean_i -log( exp(s_i.e+_i/tau) / (sum_j exp(z_ij) + exp(s_i.e~_i/tau)) ),
             z_ij = s_i.e+_j/tau, z_ij := 0 where same; fake rows: the target's codes with the stored
             replacements (drawn w.p. 0.75 per position, uniform in 0..K-1), no row exempt.
  none       fine-tuning CE over all N items of normalize(h) . normalize(e)^T / tau (padding column
             included), table T; also none.scores: plain cosine, padding column at -inf.
  learned    the same CE with every lookup from T' (straight-through), M's gradient non-zero.
  released   the same CE with T' from the reference's ceil: M's gradient exactly zero.
  learned.assignment: argmax_j P[m, c, j] (int32 [D, K+1]) with the stored noise.

File: input.codes int32 [9, 3], input.ids int32 [4, 6], input.lengths / input.targets int32 [4],
input.fake_codes int32 [4, 3] (raw codes), input.gumbel [3, 5, 5], param.<name>, per case
<case>.loss [1], <case>.grad.<name>; none.scores [4, 9]; learned.assignment int32 [3, 5].
"""
import math
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(20230327)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
D64 = torch.float64

N, DC, K, H, HEADS, INNER, LAYERS, MAXLEN = 9, 3, 4, 8, 2, 12, 2, 6
TAU, EPS_LN, SINK_ITERS, SINK_TAU, FAKE_RATIO = 0.07, 1e-12, 3, 0.7, 0.75
K1 = K + 1

histories = [[2, 5, 2, 8, 1], [4, 6, 1], [7], [3, 8, 6, 5]]
targets = torch.tensor([3, 7, 3, 5])
B = len(histories)
ids = torch.tensor([h + [0] * (MAXLEN - len(h)) for h in histories])
lengths = torch.tensor([len(h) for h in histories])

codes = torch.randint(0, K, (N, DC))
codes[0] = 0
codes[4] = codes[6]                    # two items with the same codes: the same vector
codes[4, 2] = (codes[6, 2] + 1) % K    # ... except the last position
base = torch.arange(DC) * K1
rows_of = codes + 1 + base             # [N, DC] table rows
rows_of[0] = 0


def fake_codes_draw():
    rand = torch.randint(0, K, (B, DC))
    mask = torch.bernoulli(torch.full((B, DC), FAKE_RATIO))
    return torch.where(mask > 0, rand, codes[targets])


fake_codes = fake_codes_draw()
fake_rows = fake_codes + 1 + base


def sample_gumbel(shape, eps=1e-6):
    u = torch.rand(shape, dtype=D64)
    return -torch.log(-torch.log(u + eps) + eps)


gumbel = sample_gumbel((DC, K1, K1)).float()

p = {}
p["code_embedding"] = 0.5 * torch.randn(DC * K1, H)               # row 0 random (padding)
p["permutation_logits"] = torch.randn(DC, K1, K1)                  # torch.randn, as the reference
p["position_embedding"] = 0.3 * torch.randn(MAXLEN, H)
p["ln.gamma"] = 1 + 0.2 * torch.randn(H)
p["ln.beta"] = 0.1 * torch.randn(H)
for l in range(LAYERS):
    for n in ("q", "k", "v", "o"):
        p[f"layer{l}.{n}.weight"] = 0.4 * torch.randn(H, H)
        p[f"layer{l}.{n}.bias"] = 0.1 * torch.randn(H)
    p[f"layer{l}.ln1.gamma"] = 1 + 0.2 * torch.randn(H)
    p[f"layer{l}.ln1.beta"] = 0.1 * torch.randn(H)
    p[f"layer{l}.ff1.weight"] = 0.4 * torch.randn(H, INNER)
    p[f"layer{l}.ff1.bias"] = 0.1 * torch.randn(INNER)
    p[f"layer{l}.ff2.weight"] = 0.4 * torch.randn(INNER, H)
    p[f"layer{l}.ff2.bias"] = 0.1 * torch.randn(H)
    p[f"layer{l}.ln2.gamma"] = 1 + 0.2 * torch.randn(H)
    p[f"layer{l}.ln2.beta"] = 0.1 * torch.randn(H)
p = {n: v.float() for n, v in p.items()}
NAMES = list(p)


def fresh():
    return {n: p[n].to(D64).requires_grad_(True) for n in NAMES}


def ln(x, g, b):
    m = x.mean(-1, keepdim=True)
    v = ((x - m) ** 2).mean(-1, keepdim=True)
    return g * (x - m) / torch.sqrt(v + EPS_LN) + b


def item_vectors(table, rows):
    return F.embedding(rows, table, padding_idx=0).mean(dim=-2)


def encoder(q, table, seq, lens):
    b, L = seq.shape
    x = item_vectors(table, rows_of[seq]) + q["position_embedding"][:L]
    x = ln(x, q["ln.gamma"], q["ln.beta"])
    causal = torch.tril(torch.ones(L, L, dtype=torch.bool))
    allowed = (seq != 0)[:, None, None, :] & causal[None, None]
    mask = torch.where(allowed, 0.0, -10000.0).to(D64)
    dh = H // HEADS

    def heads(t):
        return t.view(b, L, HEADS, dh).transpose(1, 2)

    for l in range(LAYERS):
        qq = heads(x @ q[f"layer{l}.q.weight"] + q[f"layer{l}.q.bias"])
        kk = heads(x @ q[f"layer{l}.k.weight"] + q[f"layer{l}.k.bias"])
        vv = heads(x @ q[f"layer{l}.v.weight"] + q[f"layer{l}.v.bias"])
        att = torch.softmax(qq @ kk.transpose(-1, -2) / math.sqrt(dh) + mask, dim=-1)
        c = (att @ vv).transpose(1, 2).reshape(b, L, H)
        a = ln(c @ q[f"layer{l}.o.weight"] + q[f"layer{l}.o.bias"] + x, q[f"layer{l}.ln1.gamma"], q[f"layer{l}.ln1.beta"])
        f = F.gelu(a @ q[f"layer{l}.ff1.weight"] + q[f"layer{l}.ff1.bias"]) @ q[f"layer{l}.ff2.weight"] + q[f"layer{l}.ff2.bias"]
        x = ln(f + a, q[f"layer{l}.ln2.gamma"], q[f"layer{l}.ln2.beta"])
    return x[torch.arange(b), lens - 1]


def soft_assignment(M):
    r = torch.log(torch.exp(M) + 1e-6)
    r = (r + gumbel.to(D64)) / SINK_TAU
    for _ in range(SINK_ITERS):
        r = r - torch.logsumexp(r, dim=2, keepdim=True)
        r = r - torch.logsumexp(r, dim=1, keepdim=True)
    return torch.exp(r)


def differentiable_topk_1(x):
    values, indices = x.softmax(dim=-1).topk(1, dim=-1)
    return torch.zeros_like(x).scatter_(-1, indices, values)


def reassigned(q, mode):
    P = soft_assignment(q["permutation_logits"])
    if mode == "released":
        hard = torch.ceil(differentiable_topk_1(P.reshape(-1, K1)).reshape(DC, K1, K1))
    else:
        onehot = F.one_hot(P.argmax(dim=-1), K1).to(D64)
        hard = onehot + P - P.detach()
    return torch.bmm(hard, q["code_embedding"].reshape(DC, K1, H)).reshape(-1, H)


def finetune_loss(q, mode, eval_scores=False):
    table = q["code_embedding"] if mode == "none" else reassigned(q, mode)
    h = encoder(q, table, ids, lengths)
    items = item_vectors(table, rows_of)                         # [N, H], padding row included
    if eval_scores:
        s = F.normalize(h, dim=1) @ F.normalize(items, dim=1).T
        s[:, 0] = -math.inf
        return s
    logits = F.normalize(h, dim=1) @ F.normalize(items, dim=1).T / TAU
    return F.cross_entropy(logits, targets)


def pretrain_loss(q):
    table = q["code_embedding"]
    s = F.normalize(encoder(q, table, ids, lengths), dim=1)
    e = F.normalize(item_vectors(table, rows_of[targets]), dim=1)
    fake = F.normalize(item_vectors(table, fake_rows), dim=-1)
    same = (targets[:, None] == targets[None, :]) ^ torch.eye(B, dtype=torch.bool)
    pos = torch.exp((s * e).sum(dim=1, keepdim=True) / TAU)
    neg = s @ e.T / TAU
    neg = torch.where(same, torch.zeros((), dtype=D64), neg)
    neg = torch.exp(neg).sum(dim=1).reshape(-1, 1)              # post-fix per-row shape
    f = torch.exp((s * fake).sum(dim=1, keepdim=True) / TAU)
    loss = (-torch.log(pos / (neg + f))).mean()
    # the same as cross-entropy over [B, B + 1] logits
    z = torch.cat([torch.where(same, torch.zeros((), dtype=D64), s @ e.T / TAU), (s * fake).sum(1, keepdim=True) / TAU], dim=1)
    assert torch.allclose(loss, F.cross_entropy(z, torch.arange(B)), atol=1e-12)
    return loss


# ---- cross-checks of the building blocks ----
with torch.no_grad():
    P = soft_assignment(p["permutation_logits"].to(D64))
    assert torch.allclose(P.sum(dim=1), torch.ones(DC, K1, dtype=D64), atol=1e-9), "columns sum to one after the last step"
    top2 = P.topk(2, dim=-1).values
    margin = (top2[..., 0] - top2[..., 1]).min().item()
    assert margin > 1e-3, f"argmax too close to a tie for a float32 comparison: {margin}"
    released_hard = torch.ceil(differentiable_topk_1(P.reshape(-1, K1)).reshape(DC, K1, K1))
    assert torch.equal(released_hard, F.one_hot(P.argmax(-1), K1).to(D64)), "ceil of the top-1 is the argmax one-hot"
    assignment = P.argmax(dim=-1)
    print("assignment per sub-space:", assignment.tolist(), f"(smallest top-2 margin {margin:.3g})")

out = {
    "input.codes": codes.to(torch.int32), "input.ids": ids.to(torch.int32), "input.lengths": lengths.to(torch.int32),
    "input.targets": targets.to(torch.int32), "input.fake_codes": fake_codes.to(torch.int32), "input.gumbel": gumbel.clone(),
    "learned.assignment": assignment.to(torch.int32),
}
for n, v in p.items():
    out[f"param.{n}"] = v.clone()


def record(case, loss_of):
    q = fresh()
    loss = loss_of(q)
    loss.backward()
    out[f"{case}.loss"] = loss.detach().reshape(1).float()
    for n in NAMES:
        g = q[n].grad if q[n].grad is not None else torch.zeros_like(q[n])
        out[f"{case}.grad.{n}"] = g.detach().float()
    pm = out[f"{case}.grad.permutation_logits"].abs().max().item()
    ce = out[f"{case}.grad.code_embedding"].abs().max().item()
    print(f"{case:9s} loss {loss.item():.6f}, max |grad M| {pm:.3g}, max |grad T| {ce:.3g}")
    return q


record("pretrain", pretrain_loss)
record("none", lambda q: finetune_loss(q, "none"))
record("learned", lambda q: finetune_loss(q, "learned"))
qr = record("released", lambda q: finetune_loss(q, "released"))
assert qr["permutation_logits"].grad is not None and torch.all(qr["permutation_logits"].grad == 0), "ceil: exactly zero"
assert out["learned.grad.permutation_logits"].abs().max() > 1e-3, "straight-through reaches M"
assert torch.equal(out["learned.loss"], out["released.loss"]), "the two modes share the forward"
assert out["pretrain.grad.code_embedding"][0].abs().max() == 0, "padding row 0 gets no gradient"
with torch.no_grad():
    out["none.scores"] = finetune_loss(fresh(), "none", eval_scores=True).float()


# Autograd against finite differences, float64. The padding row 0 of the code table is read but,
# by padding_idx, gets no gradient, so it is held fixed here and only rows 1.. are checked.
def check(loss_of):
    row0 = p["code_embedding"][:1].to(D64)

    def f(*flat):
        q = dict(zip(NAMES, flat))
        q["code_embedding"] = torch.cat([row0, q["code_embedding"]])
        return loss_of(q)
    inputs = [(p[n][1:] if n == "code_embedding" else p[n]).to(D64).requires_grad_(True) for n in NAMES]
    assert torch.autograd.gradcheck(f, tuple(inputs), eps=1e-6, atol=1e-5)


check(pretrain_loss)
check(lambda q: finetune_loss(q, "none"))

path = os.path.join(HERE, "vqrec.safetensors")
save_file({n: v.contiguous() for n, v in out.items()}, path,
          metadata={"torch_version": torch.__version__, "script": "make_vqrec_golden.py"})
print("wrote", path)
