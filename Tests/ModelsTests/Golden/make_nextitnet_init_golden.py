#!/usr/bin/env python3
"""Statistics of NextItNet's weights at initialisation under each scheme, drawn by PyTorch.

The network is the plain PyTorch NextItNet of bench/nextitnet_protocol.py (the model of
../shared/bench/torch_nextitnet.py): nn.Embedding, per block two nn.Conv1d with LayerNorm, and an
nn.Linear output. Sizes: N 2000 ids (padding included), C 64, k 3, dilations [1, 4].

Schemes (Sources/Models/NextItNet/NextItNetInitialisation.swift states the same table):
- torch: the modules left alone (nn.Embedding N(0, 1); nn.Conv1d and nn.Linear Kaiming-uniform
  weights and uniform biases, bound 1/sqrt(fan_in)).
- tf: torch.nn.init.trunc_normal_(std=0.02, a=-0.04, b=0.04) on embedding, convolution and output
  weights; biases zero (the TF original's tf.truncated_normal_initializer(stddev=0.02)).
- recbole: RecBole 1.2.1's NextItNet._init_weights: the embedding uniform_(-sqrt(1/N), sqrt(1/N));
  convolutions left to PyTorch; RecBole scores against the embedding (no output weight of its own),
  so SeqLab's untied output is drawn like that embedding, with bias zero.

For every parameter, under SeqLab's name and with the statistics of all its entries: count, mean,
std (population), max |x|. Written to nextitnet-init.json. Deterministic for torch.manual_seed(0).
"""
import json, os, sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "bench"))
from nextitnet_protocol import NextItNet, initialise  # noqa: E402

N, C, K, DILATIONS = 2000, 64, 3, [1, 4]


def seqlab_names(model):
    """(SeqLab name, tensor) for each parameter; convolution weights are [C_out, C_in, k] in
    PyTorch and [k, C_in, C_out] in SeqLab, which leaves the statistics alone."""
    yield "embedding", model.emb.weight
    for i, b in enumerate(model.blocks):
        for j, (conv, norm) in enumerate([(b.c1, b.n1), (b.c2, b.n2)], start=1):
            yield f"block{i}.conv{j}.weight", conv.conv.weight
            yield f"block{i}.conv{j}.bias", conv.conv.bias
            yield f"block{i}.ln{j}.gamma", norm.weight
            yield f"block{i}.ln{j}.beta", norm.bias
    yield "output.weight", model.out.weight
    yield "output.bias", model.out.bias


def main():
    out = {"items": N, "channels": C, "kernel": K, "dilations": DILATIONS, "torch": torch.__version__, "schemes": {}}
    for scheme in ["torch", "tf", "recbole"]:
        torch.manual_seed(0)
        model = NextItNet(N, C, K, DILATIONS, 1e-8)
        initialise(model, scheme, N)
        stats = {}
        for name, p in seqlab_names(model):
            v = p.detach().double().flatten()
            stats[name] = {"count": v.numel(), "mean": v.mean().item(), "std": v.std(unbiased=False).item(),
                           "maxAbs": v.abs().max().item()}
        out["schemes"][scheme] = stats
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nextitnet-init.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
