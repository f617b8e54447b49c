#!/usr/bin/env python3
"""PyTorch reference numbers for GRU4Rec's loss, gradients and scores (GRU4RecGoldenTests).

Run (output written next to this script; deterministic on torch 2.13.0+cpu, safetensors 0.8):

    python3 Tests/ModelsTests/Golden/make_gru4rec_golden.py

The module below is RecBole 1.2.1's GRU4Rec (recbole/model/sequential_recommender/gru4rec.py) with
its layers as RecBole builds them: torch.nn.Embedding (padding_idx 0), nn.Dropout (off here),
torch.nn.GRU (bias=False, batch_first=True, num_layers 2) and nn.Linear, computed in float64 from
float32 parameters and stored as float32, so the file is the exact math up to the final rounding.
Only RecBole's config and dataset plumbing is left out; the forward, calculate_loss (CE) and
full_sort_predict are RecBole's lines.

Sizes: N 13 ids (0 = padding, 1..12 items), E 6, H 5, 2 GRU layers, B 3, L 6 with lengths 6, 4, 2
(left-aligned, padding after), dropout off. Parameters are random, far from RecBole's initialisation.

Model (torch.nn.GRU's gate order r, z, n; h_{-1} = 0; no biases):
    x      = E_item[s]                                              # [B, L, E]
    per layer k, per step t:
      r    = sigmoid(W_ir x_t + W_hr h_{t-1})
      z    = sigmoid(W_iz x_t + W_hz h_{t-1})
      n    = tanh(W_in x_t + r * (W_hn h_{t-1}))
      h_t  = (1 - z) * n + z * h_{t-1}                              # [B, L, H]
    o      = h W_dense^T + b_dense                                  # [B, L, E]
    s      = o[b, len_b - 1]                                        # [B, E]  (gather_indexes)
    logits = s E_item^T                                             # [B, N]  (PAD column kept)
Losses:
    prefix   (RecBole's calculate_loss, CE): mean_b CE(logits_b, target_b)
    sequence (every position predicts the next item): mean over positions with label != 0 of
             CE(o[b, t] E_item^T, label[b, t]), labels = the sequence shifted left by one, the
             row's target at column len_b - 1, 0 after
Scores (full_sort_predict): s E_item^T with the same parameters, no dropout.

Stored: param.<name> (Swift's names: item_embedding, gru_layers.weight_{ih,hh}_l{0,1}, dense.weight
[E, H], dense.bias), input.sequence (int32 [B, L]), input.lengths / input.targets (int32 [B]),
input.labels (int32 [B, L]), out.states [B, L, H] (last GRU layer), out.output [B, E] (s),
prefix.loss [1], prefix.grad.<name>, sequence.loss [1], sequence.grad.<name>, out.scores [B, N].
"""
import os

import torch
from torch import nn
from safetensors.torch import save_file

torch.manual_seed(2016)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))

N, E, H, LAYERS = 13, 6, 5, 2
B, L = 3, 6


class GRU4Rec(nn.Module):
    """RecBole 1.2.1's GRU4Rec without the config/dataset plumbing (loss_type CE)."""

    def __init__(self):
        super().__init__()
        self.item_embedding = nn.Embedding(N, E, padding_idx=0)
        self.emb_dropout = nn.Dropout(0.0)
        self.gru_layers = nn.GRU(input_size=E, hidden_size=H, num_layers=LAYERS, bias=False, batch_first=True)
        self.dense = nn.Linear(H, E)
        self.loss_fct = nn.CrossEntropyLoss()

    def gather_indexes(self, output, gather_index):
        gather_index = gather_index.view(-1, 1, 1).expand(-1, -1, output.shape[-1])
        return output.gather(dim=1, index=gather_index).squeeze(1)

    def states(self, item_seq):
        item_seq_emb = self.item_embedding(item_seq)
        item_seq_emb_dropout = self.emb_dropout(item_seq_emb)
        gru_output, _ = self.gru_layers(item_seq_emb_dropout)
        return gru_output

    def forward(self, item_seq, item_seq_len):
        gru_output = self.dense(self.states(item_seq))
        return self.gather_indexes(gru_output, item_seq_len - 1)

    def calculate_loss(self, item_seq, item_seq_len, pos_items):
        seq_output = self.forward(item_seq, item_seq_len)
        logits = torch.matmul(seq_output, self.item_embedding.weight.transpose(0, 1))
        return self.loss_fct(logits, pos_items)

    def full_sort_predict(self, item_seq, item_seq_len):
        seq_output = self.forward(item_seq, item_seq_len)
        return torch.matmul(seq_output, self.item_embedding.weight.transpose(0, 1))


sequence = torch.tensor([
    [3, 7, 1, 12, 9, 5],
    [4, 11, 4, 2, 0, 0],
    [10, 6, 0, 0, 0, 0],
])
lengths = (sequence != 0).sum(1)
targets = torch.tensor([8, 4, 12])
labels = torch.zeros_like(sequence)
for b in range(B):
    n = int(lengths[b])
    labels[b, : n - 1] = sequence[b, 1:n]
    labels[b, n - 1] = targets[b]

# Parameters far from RecBole's initialisation (Swift names; torch layouts).
p = {"item_embedding": torch.randn(N, E) * 0.6}
for k in range(LAYERS):
    p[f"gru_layers.weight_ih_l{k}"] = torch.randn(3 * H, E if k == 0 else H) * 0.5
    p[f"gru_layers.weight_hh_l{k}"] = torch.randn(3 * H, H) * 0.5
p["dense.weight"] = torch.randn(E, H) * 0.5
p["dense.bias"] = torch.randn(E) * 0.3
p32 = {k: v.float().contiguous() for k, v in p.items()}

model = GRU4Rec().double()
state = {("item_embedding.weight" if k == "item_embedding" else k): v.double() for k, v in p32.items()}
model.load_state_dict(state, strict=True)
model.train()  # dropout 0: train and eval agree


def torch_name(name):
    return "item_embedding.weight" if name == "item_embedding" else name


def gradients():
    named = dict(model.named_parameters())
    return {k: named[torch_name(k)].grad.float().contiguous().clone() for k in p32}


# prefix rows: RecBole's calculate_loss
model.zero_grad()
prefix_loss = model.calculate_loss(sequence, lengths, targets)
prefix_loss.backward()
prefix_grads = gradients()

# sequence rows: every position
model.zero_grad()
outputs = model.dense(model.states(sequence))                                # [B, L, E]
logits = outputs @ model.item_embedding.weight.t()                          # [B, L, N]
sequence_loss = nn.functional.cross_entropy(logits.reshape(-1, N), labels.reshape(-1), ignore_index=0)
sequence_loss.backward()
sequence_grads = gradients()

with torch.no_grad():
    model.eval()
    states = model.states(sequence)
    output = model.forward(sequence, lengths)
    scores = model.full_sort_predict(sequence, lengths)

out = {f"param.{k}": v for k, v in p32.items()}
out.update({f"prefix.grad.{k}": v for k, v in prefix_grads.items()})
out.update({f"sequence.grad.{k}": v for k, v in sequence_grads.items()})
i32 = lambda t: t.to(torch.int32).contiguous()
out.update({
    "input.sequence": i32(sequence), "input.lengths": i32(lengths), "input.targets": i32(targets),
    "input.labels": i32(labels),
    "out.states": states.float().contiguous(), "out.output": output.float().contiguous(),
    "prefix.loss": prefix_loss.detach().float().reshape(1),
    "sequence.loss": sequence_loss.detach().float().reshape(1),
    "out.scores": scores.float().contiguous(),
})
save_file(out, os.path.join(HERE, "gru4rec.safetensors"))
print(f"prefix loss {prefix_loss.item():.8f}; sequence loss {sequence_loss.item():.8f}; "
      f"padding-row gradient (prefix) {prefix_grads['item_embedding'][0].abs().max().item():.3g}; wrote gru4rec.safetensors")
