#!/usr/bin/env bash
# NextItNet, SeqLab against the plain PyTorch one, under one protocol (bench/nextitnet_protocol.py
# states it), on the sparse stand-in (synthetic("sparse")) and on MovieLens-100K, 3 seeds each.
# SeqLab runs each initialisation scheme; PyTorch runs its own defaults (bench/nextitnet_protocol.py
# --init tf|recbole draws SeqLab's schemes in PyTorch, for a run by hand).
#
#   bench/nextitnet-init.sh [OUT.jsonl]   (the 30 runs took about 100 minutes of 2 cores here)
#
# Environment: SEEDS, INITS (SeqLab's: tf, torch, recbole, and emb-torch = {embedding: "torch"}),
# DATASETS (sparse, ml-100k), PROGRAMS (seqlab, torch), THREADS (default 2). Accuracy does not depend
# on the thread count, so a PyTorch sweep and a SeqLab sweep can run side by side at THREADS=1.
#
# Needs: the release build (make build), Data/ml-100k (make data), and PyTorch
# (python3 -m pip install 'torch==2.13.0+cpu'). Each finished run appends one JSON line to OUT
# (default .build/nextitnet-init.jsonl); runs already there are skipped, so an interrupted
# sweep continues where it stopped. The table at the end is Docs/nextitnet-sparse.md's.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-.build/nextitnet-init.jsonl}
BIN=${SEQLAB_BIN:-.build/release/seqlab}
SEEDS=${SEEDS:-"2020 2021 2022"}
INITS=${INITS:-"tf torch recbole emb-torch"}
DATASETS=${DATASETS:-"sparse ml-100k"}
PROGRAMS=${PROGRAMS:-"seqlab torch"}
THREADS=${THREADS:-2}
WORK=.build/nextitnet-init
mkdir -p "$WORK"
touch "$OUT"
[ -x "$BIN" ] || { echo "error: $BIN is missing; run make build" >&2; exit 1; }
[ -f Data/ml-100k/ml-100k.inter ] || { echo "error: Data/ml-100k is missing; run make data" >&2; exit 1; }
python3 -c "import torch" 2>/dev/null || { echo "error: no PyTorch; python3 -m pip install 'torch==2.13.0+cpu'" >&2; exit 1; }

load() {
  case $1 in
    sparse) echo 'synthetic("sparse")' ;;
    ml-100k) echo 'load("Data/ml-100k", format: "recbole")' ;;
  esac
}
inter() {
  case $1 in
    sparse) echo "$WORK/sparse/sparse.inter" ;;
    ml-100k) echo "Data/ml-100k/ml-100k.inter" ;;
  esac
}
init_expression() {
  case $1 in
    emb-torch) echo '{embedding: "torch"}' ;;
    *) echo "\"$1\"" ;;
  esac
}
done_already() { grep -q "\"key\": \"$1\"" "$OUT"; }

# The stand-in as RecBole atomic files, for the PyTorch side (the same events SeqLab makes).
if [ ! -f "$WORK/sparse/sparse.inter" ]; then
  echo 'write(synthetic("sparse"), "'"$WORK"'/sparse")' > "$WORK/write.seqlab"
  $BIN run "$WORK/write.seqlab"
fi

seqlab_run() {  # data init seed
  local key="seqlab $1 $2 $3"
  done_already "$key" && return 0
  cat > "$WORK/run-$1-$2-$3.seqlab" <<SCRIPT
d = $(load "$1");
split = d.split("leave-one-out", maxLength: 50, training: "sequence");
net = nextitnet(split, channels: 64, dilations: [1, 4, 1, 4], kernel: 3, init: $(init_expression "$2"), seed: $3, name: "$2-$3");
h = net.fit(split, epochs: 200, batch: 128, lr: 0.001, patience: 10);
r = net.evaluate(split.test, k: [10]);
print("RESULT", h.bestEpoch, h.best, r.ndcg(10), r.hr(10), h.epochs)
SCRIPT
  echo "== $key"
  local line
  line=$(OPENBLAS_NUM_THREADS=$THREADS $BIN run "$WORK/run-$1-$2-$3.seqlab" | tee /dev/stderr | grep '^RESULT')
  read -r _ best_epoch valid test hr epochs <<< "$line"
  printf '{"key": "%s", "program": "seqlab", "data": "%s", "init": "%s", "seed": %s, "best_epoch": %s, "epochs": %s, "valid_ndcg10": %s, "test_ndcg10": %s, "test_hr10": %s}\n' \
    "$key" "$1" "$2" "$3" "$best_epoch" "$epochs" "$valid" "$test" "$hr" >> "$OUT"
}

torch_run() {  # data init seed
  local key="torch $1 $2 $3"
  done_already "$key" && return 0
  echo "== $key"
  local final
  final=$(python3 bench/nextitnet_protocol.py "$(inter "$1")" --init "$2" --seed "$3" --threads "$THREADS" | tee /dev/stderr | grep '"final"')
  python3 -c 'import json,sys; f=json.loads(sys.argv[1]); print(json.dumps({"key": sys.argv[2], "program": "torch", "data": sys.argv[3], "init": f["init"], "seed": f["seed"], "best_epoch": f["best_epoch"], "valid_ndcg10": f["valid_ndcg10"], "test_ndcg10": f["test_ndcg10"], "test_hr10": f["test_hr10"]}))' \
    "$final" "$key" "$1" >> "$OUT"
}

for data in $DATASETS; do
  for seed in $SEEDS; do
    case " $PROGRAMS " in *" torch "*) torch_run "$data" torch "$seed" ;; esac
    case " $PROGRAMS " in *" seqlab "*) for init in $INITS; do seqlab_run "$data" "$init" "$seed"; done ;; esac
  done
done

python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
groups = {}
for r in rows:
    groups.setdefault((r["data"], r["program"], r["init"]), []).append(r)
print("| data | program | init | seeds | test NDCG@10 per seed | mean ± sd | best epochs |")
print("|---|---|---|---|---|---|---|")
for (data, program, init), rs in sorted(groups.items()):
    rs.sort(key=lambda r: r["seed"])
    t = [r["test_ndcg10"] for r in rs]
    sd = statistics.stdev(t) if len(t) > 1 else 0.0
    print(f"| {data} | {program} | {init} | {len(rs)} | {' / '.join(f'{x:.4f}' for x in t)} | "
          f"{statistics.mean(t):.4f} ± {sd:.4f} | {', '.join(str(r['best_epoch']) for r in rs)} |")
PY
