#!/usr/bin/env python3
"""The plain PyTorch NextItNet trained under SeqLab's protocol, to compare accuracy with SeqLab's own.

The model is the one of ../shared/bench/torch_nextitnet.py (embedding -> residual blocks of two causal
dilated Conv1d, each LayerNorm + ReLU -> linear output over all ids), written out again here so the
project does not import from ../shared at run time. The protocol is SeqLab's
`split("leave-one-out", maxLength: L, training: "sequence")` followed by `fit(..., patience: P)`:

- data: RecBole atomic files (DIR/NAME.inter with user_id, item_id, timestamp columns), as
  `write(synthetic("sparse"), "dir", format: "recbole")` or `make data` write them. Each user's
  events in time order, ties in file order.
- split: test = last event (history: up to L events before it, including the validation item),
  valid = second last (users with at least 3 events), training = the rest cut into windows of at
  most L + 1 events from the end, where every position predicts the next item.
- training: batches of whole windows, right-padded (a causal network never sees the padding of its
  own row), mean cross-entropy over non-padding targets, Adam, no regularisation unless asked.
- evaluation: full ranking over every item but padding, ties counted against the positive,
  history not masked; NDCG@10 and HR@10.
- early stopping: after each epoch the validation NDCG@10; stop after P epochs without a better one;
  the best epoch's weights are tested.

--init chooses the initialisation: "torch" (the reference: PyTorch's module defaults), or SeqLab's
"tf" and "recbole" schemes (Sources/Models/NextItNet/NextItNetInitialisation.swift), so that one
model and one loop can be run with each scheme.

Prints one JSON line per epoch and a final line {"final": true, ...}.
"""
import argparse, json, math, random, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F


class CausalConv(nn.Module):
    def __init__(self, c, k, d):
        super().__init__()
        self.pad = (k - 1) * d
        self.conv = nn.Conv1d(c, c, k, dilation=d)

    def forward(self, x):  # [B, C, L] -> [B, C, L]
        return self.conv(F.pad(x, (self.pad, 0)))


class Block(nn.Module):
    def __init__(self, c, k, d, eps):
        super().__init__()
        self.c1, self.c2 = CausalConv(c, k, d), CausalConv(c, k, 2 * d)
        self.n1, self.n2 = nn.LayerNorm(c, eps=eps), nn.LayerNorm(c, eps=eps)

    def forward(self, x):  # [B, C, L] -> [B, C, L]
        h = F.relu(self.n1(self.c1(x).transpose(1, 2))).transpose(1, 2)
        h = F.relu(self.n2(self.c2(h).transpose(1, 2))).transpose(1, 2)
        return x + h


class NextItNet(nn.Module):
    def __init__(self, items, c, k, dilations, eps):
        super().__init__()
        self.emb = nn.Embedding(items, c)
        self.blocks = nn.Sequential(*[Block(c, k, d, eps) for d in dilations])
        self.out = nn.Linear(c, items)

    def hidden(self, seq):  # [B, L] -> [B, L, C]
        return self.blocks(self.emb(seq).transpose(1, 2)).transpose(1, 2)


def initialise(model, scheme, items, std=0.02):
    """Re-draws the weights with SeqLab's scheme `scheme`; "torch" keeps PyTorch's defaults."""
    if scheme == "torch":
        return
    with torch.no_grad():
        convs = [m.conv for b in model.blocks for m in (b.c1, b.c2)]
        if scheme == "tf":
            for w in [model.emb.weight, model.out.weight] + [c.weight for c in convs]:
                nn.init.trunc_normal_(w, std=std, a=-2 * std, b=2 * std)
            for b in [model.out.bias] + [c.bias for c in convs]:
                b.zero_()
        elif scheme == "recbole":
            bound = math.sqrt(1.0 / items)
            nn.init.uniform_(model.emb.weight, -bound, bound)
            nn.init.uniform_(model.out.weight, -bound, bound)
            model.out.bias.zero_()
        else:
            raise SystemExit(f"unknown --init {scheme!r}: use torch, tf or recbole")


def read_inter(path):
    """Users' item sequences (time order, ties in file order) and the number of ids with padding."""
    with open(path, encoding="utf-8") as f:
        header = [h.split(":")[0] for h in f.readline().rstrip("\n").split("\t")]
        ui, ii, ti = header.index("user_id"), header.index("item_id"), header.index("timestamp")
        events, items = {}, {}
        for n, line in enumerate(f):
            fields = line.rstrip("\n").split("\t")
            item = items.setdefault(fields[ii], len(items) + 1)
            events.setdefault(fields[ui], []).append((float(fields[ti]), n, item))
    sequences = [[item for _, _, item in sorted(evs)] for evs in events.values()]
    return sequences, len(items) + 1


def leave_one_out(sequences, max_len):
    train, valid, test = [], [], []
    for seq in sequences:
        n = len(seq)
        if n >= 2:
            test.append((seq[max(0, n - 1 - max_len):n - 1], seq[n - 1]))
        if n >= 3:
            valid.append((seq[max(0, n - 2 - max_len):n - 2], seq[n - 2]))
        end = n - 2 if n >= 3 else min(n, 1)
        last, windows = end - 1, []
        while last > 0:
            start = max(0, last - max_len)
            windows.append(seq[start:last + 1])
            last = start
        train.extend(reversed(windows))
    return train, valid, test


def padded(rows):
    width = max(len(r) for r in rows)
    out = torch.zeros(len(rows), width, dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, :len(r)] = torch.tensor(r, dtype=torch.long)
    return out


@torch.no_grad()
def evaluate(model, rows, batch=512, k=10):
    model.eval()
    ndcg = hr = 0.0
    for s in range(0, len(rows), batch):
        chunk = rows[s:s + batch]
        seqs = padded([h for h, _ in chunk])
        lengths = torch.tensor([len(h) for h, _ in chunk])
        targets = torch.tensor([t for _, t in chunk])
        h = model.hidden(seqs)[torch.arange(len(chunk)), lengths - 1]       # [B, C]
        scores = model.out(h)                                               # [B, N]
        positive = scores.gather(1, targets[:, None])
        scores[:, 0] = -math.inf                                            # padding is never ranked
        rank = (scores >= positive).sum(1) - 1                              # ties count against it
        hit = rank < k
        hr += hit.sum().item()
        ndcg += (1.0 / torch.log2(rank[hit].double() + 2)).sum().item()
    model.train()
    return ndcg / len(rows), hr / len(rows)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("inter", help="path of a RecBole .inter file")
    p.add_argument("--seed", type=int, default=2020)
    p.add_argument("--init", default="torch", help="torch (reference), tf or recbole")
    p.add_argument("--max-len", type=int, default=50)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.0, help="Adam's L2 penalty")
    p.add_argument("--patience", type=int, default=10)
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--channels", type=int, default=64)
    p.add_argument("--kernel", type=int, default=3)
    p.add_argument("--dilations", default="1,4,1,4")
    p.add_argument("--ln-eps", type=float, default=1e-5, help="LayerNorm epsilon (PyTorch's default)")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    random.seed(a.seed); np.random.seed(a.seed); torch.manual_seed(a.seed)

    sequences, items = read_inter(a.inter)
    train, valid, test = leave_one_out(sequences, a.max_len)
    model = NextItNet(items, a.channels, a.kernel, [int(d) for d in a.dilations.split(",")], a.ln_eps)
    initialise(model, a.init, items)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)
    order = random.Random(a.seed)
    best, best_epoch, best_state, waited = -1.0, 0, None, 0
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        order.shuffle(train)
        total = count = 0.0
        for s in range(0, len(train), a.batch):
            w = padded(train[s:s + a.batch])
            inputs, targets = w[:, :-1], w[:, 1:]
            logits = model.out(model.hidden(inputs))
            loss = F.cross_entropy(logits.reshape(-1, items), targets.reshape(-1), ignore_index=0)
            opt.zero_grad(); loss.backward(); opt.step()
            n = (targets != 0).sum().item()
            total += loss.item() * n; count += n
        v, _ = evaluate(model, valid)
        print(json.dumps({"epoch": epoch, "loss": round(total / count, 4), "valid_ndcg10": round(v, 5),
                          "seconds": round(time.perf_counter() - t0, 1)}), flush=True)
        if v > best:
            best, best_epoch, waited = v, epoch, 0
            best_state = {k: t.clone() for k, t in model.state_dict().items()}
        else:
            waited += 1
            if waited >= a.patience:
                break
    model.load_state_dict(best_state)
    t, h = evaluate(model, test)
    print(json.dumps({"final": True, "data": a.inter, "init": a.init, "seed": a.seed, "items": items,
                      "users": len(sequences), "train_windows": len(train), "best_epoch": best_epoch,
                      "valid_ndcg10": round(best, 5), "test_ndcg10": round(t, 5), "test_hr10": round(h, 5)}),
          flush=True)


if __name__ == "__main__":
    main()
