#!/usr/bin/env python3
"""How far training moved each item's embedding row, relative to where it started.

    python3 bench/embedding_drift.py BEFORE.safetensors AFTER.safetensors

Reads two SeqLab exports of one NextItNet (`export(net, "x.safetensors")` before and after `fit`)
and prints, over the item rows (row 0, padding, left out), quantiles of ||e_after - e_before|| /
||e_before||, and the same for the output weight's item columns. Docs/nextitnet-sparse.md uses it
to show what the embedding's initial scale does under Adam: at TF's 0.02 the rows are rewritten
(drift well above 1), at PyTorch's N(0, 1) they move by a few percent.
"""
import sys

import numpy as np
from safetensors.numpy import load_file


def drift(before, after):
    b, a = before[1:], after[1:]
    return np.linalg.norm(a - b, axis=1) / np.linalg.norm(b, axis=1)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    before, after = load_file(sys.argv[1]), load_file(sys.argv[2])
    for name, rows in [("embedding", lambda t: t), ("output.weight", lambda t: t.T)]:
        d = drift(rows(before[name]), rows(after[name]))
        q = np.quantile(d, [0.1, 0.5, 0.9])
        print(f"{name}: rows {len(d)}, initial row norm median {np.median(np.linalg.norm(rows(before[name])[1:], axis=1)):.4f}, "
              f"relative drift p10 {q[0]:.3f} / median {q[1]:.3f} / p90 {q[2]:.3f}")


if __name__ == "__main__":
    main()
