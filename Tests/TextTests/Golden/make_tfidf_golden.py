#!/usr/bin/env python3
"""Reference numbers for the TF-IDF + SVD text encoder on the ml-100k item texts (TfidfTests).

Writes tfidf-ml100k.json next to this script: statistics of the TF-IDF matrix and its exact
(LAPACK, float64) singular values and LSA cosines. Only numbers are written, never the texts or
the vocabulary, which belong to the data set and stay outside the repository.

Run from the package root, with the RecBole atomic files beside the repository:

    python3 -m pip install scikit-learn numpy     # written with scikit-learn 1.9.1, numpy 2.4.6
    python3 Tests/TextTests/Golden/make_tfidf_golden.py [../shared/data/ml-100k/ml-100k.item]

Independent of the Swift code on every step that matters:
  text     "title year genres" of each row of ml-100k.item (empty fields skipped), file order
  words    Google BERT's BasicTokenizer (tokenization.py) for uncased models, transcribed here:
           drop NUL, U+FFFD and control characters, whitespace to ' ', spaces around CJK
           ideographs, lowercase, NFD and drop nonspacing marks, split on whitespace and on every
           punctuation character; then words that are a single punctuation character are dropped
  terms    the words and each pair of consecutive words joined by ' '
  tf-idf   scikit-learn's TfidfVectorizer(analyzer=<the terms above>, smooth_idf=True, norm='l2',
           sublinear_tf=False, dtype=float64): idf = ln((1 + n)/(1 + df)) + 1, rows tf·idf / ‖·‖
  SVD      numpy.linalg.svd of the dense matrix (1682 × terms): every singular value, exact
  LSA      row i of U·S truncated to the first 384 columns, then unit length; cosines between rows
"""
import hashlib
import json
import os
import sys
import unicodedata

import numpy
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

HERE = os.path.dirname(os.path.abspath(__file__))
WIDTH = 384


def is_whitespace(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def is_control(c):
    if c in "\t\n\r":
        return False
    return unicodedata.category(c) in ("Cc", "Cf")


def is_punctuation(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic_words(text):
    cleaned = []
    for c in text:
        cp = ord(c)
        if cp == 0 or cp == 0xFFFD or is_control(c):
            continue
        if is_whitespace(c):
            cleaned.append(" ")
        elif is_cjk(cp):
            cleaned.extend([" ", c, " "])
        else:
            cleaned.append(c)
    words = []
    for token in "".join(cleaned).strip().split():
        token = token.lower()
        token = "".join(c for c in unicodedata.normalize("NFD", token) if unicodedata.category(c) != "Mn")
        current = ""
        for c in token:
            if is_punctuation(c):
                if current:
                    words.append(current)
                current = ""
                words.append(c)
            else:
                current += c
        if current:
            words.append(current)
    return words


def terms(text):
    words = [w for w in basic_words(text) if not (len(w) == 1 and is_punctuation(w))]
    return words + [words[i - 1] + " " + words[i] for i in range(1, len(words))]


def item_texts(path):
    texts = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if i == 0 or not line:
            continue
        fields = line.split("\t")
        texts.append(" ".join(x for x in fields[1:4] if x))
    return texts


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../../shared/data/ml-100k/ml-100k.item")
    with open(path, "rb") as f:
        file_sha256 = hashlib.sha256(f.read()).hexdigest()
    texts = item_texts(path)
    vectorizer = TfidfVectorizer(analyzer=terms, smooth_idf=True, norm="l2", sublinear_tf=False, dtype=numpy.float64)
    matrix = vectorizer.fit_transform(texts)
    vocabulary = vectorizer.get_feature_names_out()
    idf = dict(zip(vocabulary, vectorizer.idf_))
    dense = matrix.toarray()
    u, s, _ = numpy.linalg.svd(dense, full_matrices=False)
    lsa = u[:, :WIDTH] * s[:WIDTH]
    lsa /= numpy.linalg.norm(lsa, axis=1, keepdims=True)

    star_wars, jedi, godfather = 49, 180, 126  # 0-based rows: items 50, 181, 127
    cosines = lsa @ lsa[star_wars]
    order = [int(i) for i in numpy.argsort(-cosines, kind="stable") if i != star_wars]
    out = {
        "generator": "make_tfidf_golden.py",
        "versions": {"numpy": numpy.__version__, "scikit-learn": sklearn.__version__},
        "item_file_sha256": file_sha256,
        "texts": len(texts),
        "terms": len(vocabulary),
        "unigrams": int(sum(1 for t in vocabulary if " " not in t)),
        "nonzeros": int(matrix.nnz),
        "idf_sum": float(vectorizer.idf_.sum()),
        "idf": {t: float(idf[t]) for t in ["star", "star wars", "drama", "1995", "comedy drama", "s", "miserables"]},
        "singular_values": [float(x) for x in s[:WIDTH]],
        "rank": int(numpy.sum(s > s[0] * 1e-10)),
        "star_wars": {
            "row": star_wars,
            "nearest": order[:3],
            "cosine_nearest": [float(cosines[i]) for i in order[:3]],
            "cosine_godfather": float(cosines[godfather]),
            "godfather_row": godfather,
            "jedi_row": jedi,
        },
    }
    target = os.path.join(HERE, "tfidf-ml100k.json")
    with open(target, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print("wrote", target, "terms", len(vocabulary), "sigma1", s[0], "sigma384", s[WIDTH - 1])


if __name__ == "__main__":
    main()
