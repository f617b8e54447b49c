"""Reference reconstruction errors from faiss for the Swift quantisers (Tests/QuantizationTests).

Writes, next to this script:
  vectors.safetensors  2000 x 64 float32 "x": clustered, correlated data from numpy's PCG64 (seed 20240917)
  faiss-mse.json       faiss's mean squared reconstruction error (per vector, summed over the 64
                       dimensions) of PQ, OPQ+PQ and the VQ-Rec index "OPQ16,IVF1,PQ16x8" (inner product)

k-means and OPQ are randomised and land in different local optima: on this data OPQ's error moves by
several percent from one initial rotation to another. So every configuration is run with SEEDS
(k-means seeds, and OPQ's initial rotation drawn from numpy with the same seed, instead of faiss's
fixed 1234) and the Swift test compares means over as many seeds of its own. "factory" records the
plain index_factory numbers (faiss's fixed seeds) as well; the script checks that the hand-built
indexes reproduce the factory ones when given the factory's seeds.

Run: python3 -m pip install faiss-cpu numpy && python3 make_faiss_golden.py
faiss runs single-threaded so that its numbers do not depend on the thread count.
"""
import json
import os
import struct

import faiss
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS, DIM, CLUSTERS = 2000, 64, 24
SEEDS = [1, 2, 3, 4]


def make_vectors():
    rng = np.random.Generator(np.random.PCG64(20240917))
    # Cluster centres plus noise through a random mixing with decaying scales: the dimensions are
    # correlated, so a rotation (OPQ) has something to gain over plain PQ.
    centres = rng.normal(0.0, 1.0, size=(CLUSTERS, DIM))
    labels = rng.integers(0, CLUSTERS, size=ROWS)
    scales = 0.9 ** np.arange(DIM)
    mixing = rng.normal(0.0, 1.0, size=(DIM, DIM)) / np.sqrt(DIM)
    noise = rng.normal(0.0, 1.0, size=(ROWS, DIM)) * scales @ mixing
    return (centres[labels] + noise).astype(np.float32)


def write_safetensors(path, name, array):
    body = np.ascontiguousarray(array, dtype="<f4").tobytes()
    header = json.dumps({
        "__metadata__": {"script": "make_faiss_golden.py", "faiss_version": faiss.__version__},
        name: {"dtype": "F32", "shape": list(array.shape), "data_offsets": [0, len(body)]},
    }, separators=(",", ":")).encode()
    header += b" " * (-len(header) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + body)


def mse(x, y):
    return float(np.mean(np.sum((x.astype(np.float64) - y.astype(np.float64)) ** 2, axis=1)))


def pq_mse(x, subspaces, seed):
    pq = faiss.ProductQuantizer(DIM, subspaces, 8)
    pq.cp.seed = seed
    pq.train(x)
    return mse(x, pq.decode(pq.compute_codes(x)))


def opq_matrix(subspaces, seed, keep):
    """faiss's OPQMatrix with its defaults, started from a random rotation drawn with `seed`
    (None: faiss's own fixed start) and an inner PQ seeded with `seed` (None: faiss's 1234)."""
    opq = faiss.OPQMatrix(DIM, subspaces)
    if seed is not None:
        gaussian = np.random.Generator(np.random.PCG64(seed)).normal(size=(DIM, DIM))
        q, _ = np.linalg.qr(gaussian)
        faiss.copy_array_to_vector(q.astype(np.float32).ravel(), opq.A)
        inner = faiss.ProductQuantizer(DIM, subspaces, 8)
        inner.cp.seed = seed
        opq.pq = inner
        keep.append(inner)
    return opq


def opq_pq_mse(x, subspaces, seed):
    """"OPQm,PQmx8": the rotation, then a fresh PQ on the rotated vectors."""
    keep = []
    opq = opq_matrix(subspaces, seed, keep)
    pq = faiss.IndexPQ(DIM, subspaces, 8)
    if seed is not None:
        pq.pq.cp.seed = seed
    index = faiss.IndexPreTransform(opq, pq)
    index.train(x)
    return mse(x, index.sa_decode(index.sa_encode(x)))


def vqrec_mse(x, subspaces, seed):
    """"OPQm,IVF1,PQmx8" under inner product, as VQ-Rec's pq.py builds it."""
    keep = []
    opq = opq_matrix(subspaces, seed, keep)
    coarse = faiss.IndexFlatIP(DIM)
    ivf = faiss.IndexIVFPQ(coarse, DIM, 1, subspaces, 8, faiss.METRIC_INNER_PRODUCT)
    assert ivf.cp.spherical and ivf.by_residual
    if seed is not None:
        ivf.cp.seed = seed
        ivf.pq.cp.seed = seed
    index = faiss.IndexPreTransform(opq, ivf)
    index.train(x)
    return mse(x, index.sa_decode(index.sa_encode(x)))


def factory_mse(x, description, metric=faiss.METRIC_L2):
    index = faiss.index_factory(DIM, description, metric)
    index.train(x)
    return mse(x, index.sa_decode(index.sa_encode(x)))


def main():
    faiss.omp_set_num_threads(1)
    x = make_vectors()
    write_safetensors(os.path.join(HERE, "vectors.safetensors"), "x", x)
    factory = {
        "pq8x8": factory_mse(x, "PQ8x8"),
        "pq16x8": factory_mse(x, "PQ16x8"),
        "opq8_pq8x8": factory_mse(x, "OPQ8,PQ8x8"),
        "vqrec_opq16_ivf1_pq16x8_ip": factory_mse(x, "OPQ16,IVF1,PQ16x8", faiss.METRIC_INNER_PRODUCT),
    }
    # The hand-built indexes are the factory's when given the factory's seeds.
    for key, value in [("opq8_pq8x8", opq_pq_mse(x, 8, None)), ("vqrec_opq16_ivf1_pq16x8_ip", vqrec_mse(x, 16, None))]:
        assert abs(value - factory[key]) <= 1e-6 * factory[key], (key, value, factory[key])
    results = {
        "faiss_version": faiss.__version__,
        "rows": ROWS,
        "dimension": DIM,
        "seeds": SEEDS,
        "pq8x8": [pq_mse(x, 8, s) for s in SEEDS],
        "pq16x8": [pq_mse(x, 16, s) for s in SEEDS],
        "opq8_pq8x8": [opq_pq_mse(x, 8, s) for s in SEEDS],
        "vqrec_opq16_ivf1_pq16x8_ip": [vqrec_mse(x, 16, s) for s in SEEDS],
        "factory": factory,
    }
    with open(os.path.join(HERE, "faiss-mse.json"), "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")
    print(json.dumps(results, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
