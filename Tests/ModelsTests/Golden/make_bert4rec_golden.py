#!/usr/bin/env python3
"""PyTorch reference numbers for BERT4Rec's masked loss and prediction (BERT4RecGoldenTests).

Run (output written next to this script; deterministic on torch 2.13.0+cpu, safetensors 0.8):

    python3 Tests/ModelsTests/Golden/make_bert4rec_golden.py

Written from the description of RecBole 1.0.1's BERT4Rec in ../shared/reference/text-models.md
(sections 1, 2 and 10), not from the Swift code. Everything is computed in float64 from float32
parameters and stored as float32, so the file is the exact math up to the final rounding.

Sizes: N 20 ids (0 = padding, 1..19 items), mask token id N = 20, item table [N+1, H]; H 8,
2 heads (head size 4), inner 16, 2 layers, max length 6 (position table [7, H], since prediction
appends a mask); B 3, L 6; mask_ratio 0.5 -> mask_item_length int(0.5 * 6) = 3. No dropout.

Model (post-LN BERT block, reference section 1 / 10):
    x   = LN(E_item[s] + E_pos[0..L-1])                         # eps 1e-12, embedding padding_idx 0
    per layer:
      q,k,v = x Wq + bq, x Wk + bk, x Wv + bv                    # weights stored [in, out]
      s     = q_h k_h^T / sqrt(4) + mask,  mask = -10000 where key id == 0 (bidirectional: no causal part)
      a     = LN1(softmax(s) v Wo + bo + x)
      x     = LN2(gelu_erf(a W1 + b1) W2 + b2 + a)
Loss (RecBole 1.0.1 calculate_loss, CE):
    masked_index [B, 3] left-padded with 0, pos_items [B, 3] (0 in padded slots)
    h_m    = multi_hot(masked_index) @ x                         # [B, 3, H]
    logits = h_m @ E_item[:N]^T                                  # [B, 3, N]: mask row excluded, PAD column kept
    loss   = sum(CE(logits, pos_items) * (masked_index > 0)) / sum(masked_index > 0)
The fixed masks exercise both quirks: row 0 has 4 masks (positions 1, 3, 4, 5), only the last 3
are predicted, position 1 stays masked in the input; row 1 is masked at position 0, which is in
the input and in masked_index but has weight 0.
Prediction (reconstruct_test_data of 1.0.1): the unmasked history, one zero column appended, the
mask token at column len; hidden state at column len; scores = h @ E_item[:N]^T -> [B, N].

Stored: param.<name> (Swift's names), input.sequence (int32 [B, L], unmasked), input.lengths
(int32 [B]), input.masked (int32 [B, L]), input.masked_index / input.pos_items (int32 [B, 3]),
input.prediction (int32 [B, L+1]), out.hidden [B, L, H] (training forward), out.loss [1],
grad.<name> (gradient of out.loss), out.scores [B, N].
"""
import math
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(4011)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))

N, H, HEADS, INNER, LAYERS, MAXLEN = 20, 8, 2, 16, 2, 6
B, L = 3, 6
MASK = N
MASK_LEN = int(0.5 * MAXLEN)  # 3
EPS = 1e-12

sequence = torch.tensor([
    [3, 7, 1, 12, 19, 5],
    [4, 9, 9, 2, 0, 0],
    [15, 6, 11, 0, 0, 0],
])
lengths = (sequence != 0).sum(1)
mask_positions = [[1, 3, 4, 5], [0, 2], [1, 2]]

masked = sequence.clone()
masked_index = torch.zeros(B, MASK_LEN, dtype=torch.long)
pos_items = torch.zeros(B, MASK_LEN, dtype=torch.long)
for b, positions in enumerate(mask_positions):
    for t in positions:
        masked[b, t] = MASK
    kept = positions[-MASK_LEN:]  # _padding_sequence: left-pad with 0, keep the last MASK_LEN
    for j, t in enumerate(kept):
        slot = MASK_LEN - len(kept) + j
        masked_index[b, slot] = t
        pos_items[b, slot] = sequence[b, t]

p = {
    "item_embedding": torch.randn(N + 1, H) * 0.5,
    "position_embedding": torch.randn(MAXLEN + 1, H) * 0.5,
    "ln.gamma": 1 + 0.1 * torch.randn(H),
    "ln.beta": 0.1 * torch.randn(H),
}
for i in range(LAYERS):
    for name in ("q", "k", "v", "o"):
        p[f"layer{i}.{name}.weight"] = torch.randn(H, H) * 0.4
        p[f"layer{i}.{name}.bias"] = 0.1 * torch.randn(H)
    p[f"layer{i}.ln1.gamma"] = 1 + 0.1 * torch.randn(H)
    p[f"layer{i}.ln1.beta"] = 0.1 * torch.randn(H)
    p[f"layer{i}.ff1.weight"] = torch.randn(H, INNER) * 0.4
    p[f"layer{i}.ff1.bias"] = 0.1 * torch.randn(INNER)
    p[f"layer{i}.ff2.weight"] = torch.randn(INNER, H) * 0.4
    p[f"layer{i}.ff2.bias"] = 0.1 * torch.randn(H)
    p[f"layer{i}.ln2.gamma"] = 1 + 0.1 * torch.randn(H)
    p[f"layer{i}.ln2.beta"] = 0.1 * torch.randn(H)
p32 = {k: v.float().contiguous() for k, v in p.items()}
w = {k: v.double().requires_grad_(True) for k, v in p32.items()}


def layer_norm(x, g, b):
    return F.layer_norm(x, (H,), g, b, EPS)


def encoder(ids):  # ids [B, T] -> hidden [B, T, H]
    t = ids.shape[1]
    x = F.embedding(ids, w["item_embedding"], padding_idx=0) + w["position_embedding"][:t]
    x = layer_norm(x, w["ln.gamma"], w["ln.beta"])
    additive = (1.0 - (ids != 0).double())[:, None, None, :] * -10000.0  # [B, 1, 1, T], keys only
    d = H // HEADS
    for i in range(LAYERS):
        def lin(z, name):
            return z @ w[f"layer{i}.{name}.weight"] + w[f"layer{i}.{name}.bias"]

        def split(z):  # [B, T, H] -> [B, heads, T, d]
            return z.view(z.shape[0], t, HEADS, d).transpose(1, 2)

        q, k, v = split(lin(x, "q")), split(lin(x, "k")), split(lin(x, "v"))
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + additive, dim=-1)
        context = (probs @ v).transpose(1, 2).reshape(x.shape[0], t, H)
        a = layer_norm(lin(context, "o") + x, w[f"layer{i}.ln1.gamma"], w[f"layer{i}.ln1.beta"])
        f = lin(F.gelu(lin(a, "ff1")), "ff2")
        x = layer_norm(f + a, w[f"layer{i}.ln2.gamma"], w[f"layer{i}.ln2.beta"])
    return x


hidden = encoder(masked)
multi_hot = torch.zeros(B * MASK_LEN, L, dtype=torch.float64)
multi_hot[torch.arange(B * MASK_LEN), masked_index.view(-1)] = 1
picked = torch.bmm(multi_hot.view(B, MASK_LEN, L), hidden)               # [B, 3, H]
logits = picked @ w["item_embedding"][:N].t()                             # [B, 3, N]
valid = (masked_index > 0).double().view(-1)
ce = F.cross_entropy(logits.view(-1, N), pos_items.view(-1), reduction="none")
loss = (ce * valid).sum() / valid.sum()
loss.backward()

with torch.no_grad():
    prediction = torch.cat([sequence, torch.zeros(B, 1, dtype=torch.long)], dim=1)
    for b in range(B):
        prediction[b, lengths[b]] = MASK
    h = encoder(prediction)[torch.arange(B), lengths]                    # [B, H]
    scores = h @ w["item_embedding"][:N].t()                              # [B, N]

out = {f"param.{k}": v for k, v in p32.items()}
for k, v in w.items():
    out[f"grad.{k}"] = v.grad.float().contiguous()
i32 = lambda t: t.to(torch.int32).contiguous()
out.update({
    "input.sequence": i32(sequence), "input.lengths": i32(lengths), "input.masked": i32(masked),
    "input.masked_index": i32(masked_index), "input.pos_items": i32(pos_items),
    "input.prediction": i32(prediction),
    "out.hidden": hidden.detach().float().contiguous(), "out.loss": loss.detach().float().reshape(1),
    "out.scores": scores.float().contiguous(),
})
save_file(out, os.path.join(HERE, "bert4rec.safetensors"))
print(f"loss {loss.item():.8f}; predicted slots {int(valid.sum())}; wrote bert4rec.safetensors")
