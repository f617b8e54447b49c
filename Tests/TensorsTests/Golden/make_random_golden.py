#!/usr/bin/env python3
"""Reference values for SeqLab's random streams (RandomStreamTests), from a transcription written
from the published algorithms, not from the Swift code:

  SplitMix64   Steele, Lea & Flood (2014); Vigna's splitmix64.c: x += 0x9E3779B97F4A7C15, then
               z = (z ^ z>>30)·0xBF58476D1CE4E5B9, z = (z ^ z>>27)·0x94D049BB133111EB, z ^ z>>31
  xoshiro256** Blackman & Vigna (2018), xoshiro256starstar.c: result = rotl(s1·5, 7)·9, then the
               state update with t = s1<<17 and rotl(s3, 45); the state is four SplitMix64 outputs
  FNV-1a 64    offset basis 0xcbf29ce484222325, prime 0x100000001b3, over the UTF-8 bytes
  named stream seed ^ fnv1a64(name), one SplitMix64 step, its output seeds a new generator
  derive       s0 ^ rotl(s1,17) ^ rotl(s2,31) ^ rotl(s3,47) ^ fnv1a64(name), then as above
  float        (x >> 40)·2^-24;  double (x >> 11)·2^-53
  int(below n) Lemire (2019), "Fast random integer generation in an interval": m = x·n (128 bits),
               retry while low(m) < (2^64 − n) mod n, answer high(m)
  permutation  Fisher–Yates from the top: for i = n−1 … 1 swap a[i] with a[int(below i+1)]

Floats are written as Python's repr strings (shortest round-trip decimal), so no JSON number
parser's rounding comes between them and the exact comparison. These are SeqLab's choices; the generator is part of the notebook format, so every value here pins
every recorded notebook. Writes random-stream.json next to this script; plain Python 3, no packages:

    python3 Tests/TensorsTests/Golden/make_random_golden.py
"""
import json
import os

MASK = (1 << 64) - 1
HERE = os.path.dirname(os.path.abspath(__file__))


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


def splitmix64(state):
    """One step: returns (new state, output)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & MASK
    return h


class Xoshiro256StarStar:
    def __init__(self, seed):
        s = []
        for _ in range(4):
            seed, out = splitmix64(seed)
            s.append(out)
        if s == [0, 0, 0, 0]:
            s[0] = 0x9E3779B97F4A7C15
        self.s = s

    @classmethod
    def named(cls, root, name):
        _, out = splitmix64(root ^ fnv1a64(name))
        return cls(out)

    def derive(self, name):
        s0, s1, s2, s3 = self.s
        _, out = splitmix64(s0 ^ rotl(s1, 17) ^ rotl(s2, 31) ^ rotl(s3, 47) ^ fnv1a64(name))
        return Xoshiro256StarStar(out)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def next_float(self):
        return (self.next() >> 40) * 2.0 ** -24

    def next_double(self):
        return (self.next() >> 11) * 2.0 ** -53

    def int_below(self, n):
        m = self.next() * n
        if (m & MASK) < n:
            threshold = ((1 << 64) - n) % n
            while (m & MASK) < threshold:
                m = self.next() * n
        return m >> 64

    def permutation(self, n):
        a = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.int_below(i + 1)
            a[i], a[j] = a[j], a[i]
        return a


def main():
    out = {"generator": "make_random_golden.py"}
    # The raw generator seeded directly (what RandomStream(seed:) does).
    out["seed"] = []
    for seed in [0, 1, 0xFFFFFFFFFFFFFFFF]:
        r = Xoshiro256StarStar(seed)
        out["seed"].append({"seed": str(seed), "state": [str(w) for w in r.s],
                            "next": [str(r.next()) for _ in range(5)]})
    out["fnv1a64"] = [{"text": t, "hash": str(fnv1a64(t))} for t in ["", "a", "shuffle", "init", "négatif"]]
    # Named streams of root seeds, as Seed(root).stream(name) makes them.
    out["named"] = []
    for root, name in [(7, "shuffle"), (7, "init"), (1, "t"), (0, "text.tfidf-svd"), (42, "masking")]:
        r = Xoshiro256StarStar.named(root, name)
        out["named"].append({"root": str(root), "name": name, "next": [str(r.next()) for _ in range(4)]})
    # A child stream: derive() does not advance its parent.
    parent = Xoshiro256StarStar.named(3, "init")
    parent.next()
    child = parent.derive("block0.conv1.weight")
    out["derive"] = {"root": "3", "name": "init", "after": 1, "child": "block0.conv1.weight",
                     "next": [str(child.next()) for _ in range(4)], "parent_next": str(parent.next())}
    # Conversions and bounded integers from one stream, interleaved in this order.
    r = Xoshiro256StarStar.named(5, "draws")
    draws = []
    for n in [1, 2, 3, 5, 7, 10, 1000, 1 << 40, 3 << 61]:
        draws.append({"below": str(n), "value": str(r.int_below(n))})
    out["draws"] = {"root": "5", "name": "draws", "int_below": draws,
                    "float": [repr(r.next_float()) for _ in range(3)], "double": [repr(r.next_double()) for _ in range(3)],
                    "permutation10": r.permutation(10)}
    path = os.path.join(HERE, "random-stream.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
