#!/usr/bin/env python3
"""PyTorch reference numbers for UniSRec's training steps (UniSRecGoldenTests).

Run (the output is written next to this script; deterministic on torch 2.13.0+cpu, safetensors 0.8):

    python3 Tests/ModelsTests/Golden/make_unisrec_golden.py

Written from the formulas of ../../../../shared/reference/text-models.md §1 (the RecBole SASRec
encoder) and §4 (UniSRec), not from the Swift code. Everything is computed in float64 from float32
parameters and stored as float32. Dropout is off (rate 0); the gate noise is on, with its draws eps
stored as inputs so both sides use the same ones.

Sizes: N 9 item ids (row 0 = padding, items 1..8), text width d 6, hidden H 8, 2 heads, inner 12,
2 layers, max length 6, E 3 experts, tau 0.07, lambda 1e-3, B 4 histories of lengths 5, 3, 1, 4
(item 2 twice in row 0), targets 3, 7, 3, 5 (rows 0 and 2 share a target). Parameters are drawn
far from the 0.02 initialisation (gate and noise weights non-zero, biases non-zero, layer-norm gains
away from 1, a random padding row in the item table) so that every term matters.

Item encoder (§4.2), x [R, d] -> [R, H]; weights stored [in, out]:
  PW_k(x) = (x - b_k) @ W_k                         (dropout rate 0)
  gates   = softmax(x @ W_gate + eps * (softplus(x @ W_noise) + 0.01))
  MoE(x)  = sum_k gates_k * PW_k(x)
The reference applies MoE to every position of PLM[item_seq] with one eps row per position. The
Swift side applies it once per distinct row a pass reads, ascending, with one eps row each; so eps
is stored per distinct row ([rows, E], ascending) and every position here uses the row of its item:
the same numbers as the reference fed those draws. Passes and their rows:
  sequence   distinct ids of the histories (0 included: the padding positions)
  catalogue  every id 0..N-1 (the fine-tuning candidates)
  targets    distinct targets (pretraining L_SI)
  augmented  distinct rows of the augmented view in the stacked table [feat1; feat2]: item i's
             word-dropped text is row N + i

Sequence encoder (§1, §4.3), ids [B, L] left-aligned:
  x = MoE(text[ids]) + E_pos[0..L-1] (+ E_item[ids], padding_idx 0, transductive only)
  x = LN(x) (eps 1e-12); per layer: q, k, v = x W + b; s = q_h k_h^T / sqrt(H / heads) + mask
  (-10000 where the key is padding or after the query); a = LN1(softmax(s) v W_o + b_o + x);
  y = LN2(GELU_erf(a W1 + b1) W2 + b2 + a); h = x[b, len_b - 1]

Cases:
  finetune  transductive fine-tuning CE: items = MoE(text all rows) + E_item.weight (whole table, so
            the padding row trains through the padding column); logits = normalize(h) @
            normalize(items)^T / tau over all N columns; mean CE with the targets (§4.5).
            Also finetune.scores: the ranking scores in evaluation (clean gates): plain cosine with
            the padding column at -inf.
  pretrain  inductive network, L_SI + lambda * L_SS with the fixed augmented view below (§4.4):
            s = normalize(h), e+ = normalize(MoE(text[target])), s' = normalize(h of the view);
            same[i, j] = target_i == target_j and i != j;
            L(a, p) = mean_i -log( exp(a_i . p_i / tau) / sum_j exp(z_ij) ),
                      z_ij = a_i . p_j / tau, z_ij := 0 where same
            L_SI = L(s, e+), L_SS = L(s, s').
  seqitem   L_SI alone, seqseq  L_SS alone (same inputs as pretrain).
The fixed view mixes both augmentations: rows 0 and 3 item-dropped (kept items left-aligned,
shorter), rows 1 and 2 word-dropped (same items, some positions read feat2).

File: input.features / input.features2 [N, d], input.ids int32 [4, 6], input.lengths / input.targets
int32 [4], input.aug.ids int32 [4, 6], input.aug.lengths int32 [4], input.aug.sources int32 [4, 6],
noise.<case>.<pass> [rows, E], param.<name> (transductive set; the inductive cases use all but
item_embedding), per case <case>.loss [1], <case>.grad.<name>, and finetune.scores [4, N].
"""
import math
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(20220613)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
D = torch.float64

N, d, H, HEADS, INNER, LAYERS, MAXLEN, E = 9, 6, 8, 2, 12, 2, 6, 3
TAU, LAM, EPS_LN, NOISE_FLOOR = 0.07, 1e-3, 1e-12, 0.01

histories = [[2, 5, 2, 8, 1], [4, 6, 1], [7], [3, 8, 6, 5]]
targets = torch.tensor([3, 7, 3, 5])
B = len(histories)
ids = torch.tensor([h + [0] * (MAXLEN - len(h)) for h in histories])
lengths = torch.tensor([len(h) for h in histories])

# The fixed augmented view. Sources index the stacked table [feat1; feat2].
aug_rows = [[2, 2, 1], [4, 6, 1], [7], [3, 5]]           # row 0: dropped 5 and 8; row 3: dropped 8 and 6
aug_word = [[0, 0, 0], [1, 0, 1], [1], [0, 0]]           # 1 = reads the word-dropped text
aug_ids = torch.tensor([r + [0] * (MAXLEN - len(r)) for r in aug_rows])
aug_lengths = torch.tensor([len(r) for r in aug_rows])
aug_sources = torch.tensor([[i + N * w for i, w in zip(r, m)] + [0] * (MAXLEN - len(r))
                            for r, m in zip(aug_rows, aug_word)])

features = torch.randn(N, d)
features[0] = 0
features2 = features + 0.5 * torch.randn(N, d)           # "words dropped": a perturbed encoding
features2[0] = 0
stacked = torch.cat([features, features2]).to(D)

# ---- parameters (float32 values, names as the Swift model names them) ----
p = {}
for k in range(E):
    p[f"adaptor.expert{k}.bias"] = 0.3 * torch.randn(d)
    p[f"adaptor.expert{k}.weight"] = 0.4 * torch.randn(d, H)     # [in, out]
p["adaptor.gate"] = 0.5 * torch.randn(d, E)
p["adaptor.noise"] = 0.5 * torch.randn(d, E)
p["item_embedding"] = 0.3 * torch.randn(N, H)                     # row 0 random, as RecBole's init leaves it
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


def fresh(names):
    return {n: p[n].to(D).requires_grad_(True) for n in names}


def moe(q, x, eps):
    """x [..., d], eps [..., E] or None -> [..., H]."""
    logits = x @ q["adaptor.gate"]
    if eps is not None:
        logits = logits + eps * (F.softplus(x @ q["adaptor.noise"]) + NOISE_FLOOR)
    gates = torch.softmax(logits, dim=-1)
    experts = torch.stack([(x - q[f"adaptor.expert{k}.bias"]) @ q[f"adaptor.expert{k}.weight"] for k in range(E)], dim=-2)
    return (gates.unsqueeze(-1) * experts).sum(dim=-2)


def ln(x, g, b):
    m = x.mean(-1, keepdim=True)
    v = ((x - m) ** 2).mean(-1, keepdim=True)
    return g * (x - m) / torch.sqrt(v + EPS_LN) + b


def encoder(q, item_vectors, seq, lens, transductive):
    """item_vectors [B, L, H] at ids seq [B, L] -> h [B, H] (hidden at the last real position)."""
    b, L = seq.shape
    x = item_vectors + q["position_embedding"][:L]
    if transductive:
        x = x + F.embedding(seq, q["item_embedding"], padding_idx=0)
    x = ln(x, q["ln.gamma"], q["ln.beta"])
    causal = torch.tril(torch.ones(L, L, dtype=torch.bool))
    allowed = (seq != 0)[:, None, None, :] & causal[None, None]
    mask = torch.where(allowed, 0.0, -10000.0).to(D)
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


def per_position(rows, eps_distinct):
    """eps for every position from the per-distinct-row draws (rows [B, L] of the stacked table)."""
    distinct = torch.unique(rows)                        # ascending, as the draws are stored
    where = torch.searchsorted(distinct, rows)
    return eps_distinct[where]


def sequence_vectors(q, seq, sources, lens, eps_distinct, transductive):
    x = stacked[sources]                                 # [B, L, d], per position as the reference
    vectors = moe(q, x, per_position(sources, eps_distinct) if eps_distinct is not None else None)
    return encoder(q, vectors, seq, lens, transductive)


def contrastive(a, pos, tg):
    """The reference's literal form: exp / where / sum / log, per row (post-fix shapes)."""
    same = (tg[:, None] == tg[None, :]) ^ torch.eye(len(tg), dtype=torch.bool)
    pos_logits = torch.exp((a * pos).sum(dim=1) / TAU)
    neg = a @ pos.T / TAU
    neg = torch.where(same, torch.zeros((), dtype=D), neg)
    neg = torch.exp(neg).sum(dim=1)
    return (-torch.log(pos_logits / neg)).mean()


def contrastive_ce(a, pos, tg):
    """The same loss as cross-entropy over the masked logits (cross-check)."""
    same = (tg[:, None] == tg[None, :]) ^ torch.eye(len(tg), dtype=torch.bool)
    z = torch.where(same, torch.zeros((), dtype=D), a @ pos.T / TAU)
    return F.cross_entropy(z, torch.arange(len(tg)))


noise = {
    "finetune.sequence": torch.randn(len(torch.unique(ids)), E),
    "finetune.catalogue": torch.randn(N, E),
    "pretrain.sequence": torch.randn(len(torch.unique(ids)), E),
    "pretrain.targets": torch.randn(len(torch.unique(targets)), E),
    "pretrain.augmented": torch.randn(len(torch.unique(aug_sources)), E),
}
nz = {k: v.to(D) for k, v in noise.items()}
TRANSDUCTIVE = list(p)
INDUCTIVE = [n for n in p if n != "item_embedding"]


def finetune_loss(q, eval_scores=False):
    h = sequence_vectors(q, ids, ids, lengths, None if eval_scores else nz["finetune.sequence"], True)
    items = moe(q, stacked[:N], None if eval_scores else nz["finetune.catalogue"]) + q["item_embedding"]
    if eval_scores:
        s = F.normalize(h, dim=1) @ F.normalize(items, dim=1).T
        s[:, 0] = -math.inf
        return s
    logits = F.normalize(h, dim=1) @ F.normalize(items, dim=1).T / TAU
    return F.cross_entropy(logits, targets)


def pretrain_losses(q):
    s = F.normalize(sequence_vectors(q, ids, ids, lengths, nz["pretrain.sequence"], False), dim=1)
    e = F.normalize(moe(q, stacked[targets], per_position(targets, nz["pretrain.targets"])), dim=1)
    s_aug = F.normalize(sequence_vectors(q, aug_ids, aug_sources, aug_lengths, nz["pretrain.augmented"], False), dim=1)
    si, ss = contrastive(s, e, targets), contrastive(s, s_aug, targets)
    assert torch.allclose(si, contrastive_ce(s, e, targets), atol=1e-12)
    assert torch.allclose(ss, contrastive_ce(s, s_aug, targets), atol=1e-12)
    return si + LAM * ss, si, ss


# ---- independent cross-checks of the building blocks ----
qc = fresh(TRANSDUCTIVE)
x = torch.randn(5, d, dtype=D)
eps = torch.randn(5, E, dtype=D)
rowwise = torch.stack([moe(qc, x[r], eps[r]) for r in range(5)])
assert torch.allclose(moe(qc, x, eps), rowwise, atol=1e-12)
# gates start uniform with zero gate/noise weights; noise std is then softplus(0) + 0.01
z = {**qc, "adaptor.gate": torch.zeros(d, E, dtype=D), "adaptor.noise": torch.zeros(d, E, dtype=D)}
expect = sum((x - z[f"adaptor.expert{k}.bias"]) @ z[f"adaptor.expert{k}.weight"] for k in range(E)) / E
assert torch.allclose(moe(z, x, None), expect, atol=1e-12)
with torch.no_grad():                                    # what follows a row's last item changes nothing
    noisy = ids.clone()
    for r, n in enumerate(lengths):
        noisy[r, n:] = torch.randint(1, N, (MAXLEN - n,))
    a = sequence_vectors(qc, ids, ids, lengths, None, True)
    b2 = sequence_vectors(qc, noisy, noisy, lengths, None, True)
    assert torch.allclose(a, b2, atol=1e-12)

out = {
    "input.features": features.clone(), "input.features2": features2.clone(),
    "input.ids": ids.to(torch.int32), "input.lengths": lengths.to(torch.int32), "input.targets": targets.to(torch.int32),
    "input.aug.ids": aug_ids.to(torch.int32), "input.aug.lengths": aug_lengths.to(torch.int32),
    "input.aug.sources": aug_sources.to(torch.int32),
}
for n, v in noise.items():
    out[f"noise.{n}"] = v.clone()
for n, v in p.items():
    out[f"param.{n}"] = v.clone()


def record(case, names, loss_of):
    q = fresh(names)
    loss = loss_of(q)
    loss.backward()
    out[f"{case}.loss"] = loss.detach().reshape(1).float()
    for n in names:
        assert q[n].grad is not None, (case, n)
        out[f"{case}.grad.{n}"] = q[n].grad.detach().float()
    gmin = min(q[n].grad.abs().max().item() for n in names)
    print(f"{case:9s} loss {loss.item():.6f}, smallest per-tensor max |grad| {gmin:.3g}")


record("finetune", TRANSDUCTIVE, finetune_loss)
record("pretrain", INDUCTIVE, lambda q: pretrain_losses(q)[0])
record("seqitem", INDUCTIVE, lambda q: pretrain_losses(q)[1])
record("seqseq", INDUCTIVE, lambda q: pretrain_losses(q)[2])
with torch.no_grad():
    out["finetune.scores"] = finetune_loss(fresh(TRANSDUCTIVE), eval_scores=True).float()
assert out["finetune.grad.item_embedding"][0].abs().max() > 0, "the padding row trains through the catalogue"


# Autograd against finite differences, float64, on both objectives.
def check(names, loss_of):
    def f(*flat):
        return loss_of(dict(zip(names, flat)))
    assert torch.autograd.gradcheck(f, tuple(p[n].to(D).requires_grad_(True) for n in names), eps=1e-6, atol=1e-5)


check(TRANSDUCTIVE, finetune_loss)
check(INDUCTIVE, lambda q: pretrain_losses(q)[0])

path = os.path.join(HERE, "unisrec.safetensors")
save_file({n: v.contiguous() for n, v in out.items()}, path,
          metadata={"torch_version": torch.__version__, "script": "make_unisrec_golden.py"})
print("wrote", path)
