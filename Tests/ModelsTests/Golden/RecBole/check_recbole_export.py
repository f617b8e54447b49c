#!/usr/bin/env python3
"""Evaluate a SASRec state dict written by another program (SeqLab's export) with RecBole 1.2.1.

    .venv-goldens/bin/python Tests/ModelsTests/Golden/RecBole/check_recbole_export.py PATH.pth \\
        [--sidecar PATH.json] [--hidden-size 64] [--inner-size 256] [--n-layers 2] [--n-heads 2] \\
        [--hidden-act gelu] [--layer-norm-eps 1e-12] [--max-len 50] [--data-path /work/shared/data]

PATH.pth must be a plain state dict (name -> tensor), readable by torch.load(PATH,
weights_only=True). The script builds RecBole 1.2.1's own SASRec (recbole.model.sequential_recommender)
with RecBole's Config under exactly the config of run_recbole_sasrec.py (ml-100k, LS valid_and_test,
TO, full sort, Hit/NDCG/MRR@10, 8 decimals, seed 2020, CPU), loads PATH with
load_state_dict(strict=True) (so every RecBole name must be present, no extra name, every shape
exact), and runs RecBole's Trainer.evaluate (load_best_model=False) on the validation and the test
split. It prints one JSON line:
    {"test": {"hit@10": .., "ndcg@10": .., "mrr@10": ..}, "valid": {...}, "sizes": {...},
     "n_items": .., "state_dict": {"tensors": N, "dtypes": [...]}}
and exits 1 (with the error on stderr) if the file cannot be loaded that way.

Sizes (RecBole's names: hidden_size, inner_size, n_layers, n_heads, hidden_act, layer_norm_eps,
MAX_ITEM_LIST_LENGTH): a command-line flag wins; else the sidecar JSON, which is --sidecar or else
PATH with its extension replaced by .json if that exists; its keys are read at the top level or
under "model_sizes" (the layout of run_recbole_sasrec.py's SASRec-ml-100k-1epoch.json); else
SASRec.yaml's defaults. Dropout probabilities do not matter for evaluation (eval mode).

Checked against a state dict extracted from run_recbole_sasrec.py's checkpoint,
torch.save(torch.load(ckpt, weights_only=False)["state_dict"], tmp): it prints the metrics of
that run.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SIZE_KEYS = {
    "hidden_size": int, "inner_size": int, "n_layers": int, "n_heads": int,
    "hidden_act": str, "layer_norm_eps": float, "MAX_ITEM_LIST_LENGTH": int,
}


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--sidecar")
    parser.add_argument("--hidden-size", dest="hidden_size", type=int)
    parser.add_argument("--inner-size", dest="inner_size", type=int)
    parser.add_argument("--n-layers", dest="n_layers", type=int)
    parser.add_argument("--n-heads", dest="n_heads", type=int)
    parser.add_argument("--hidden-act", dest="hidden_act")
    parser.add_argument("--layer-norm-eps", dest="layer_norm_eps", type=float)
    parser.add_argument("--max-len", dest="MAX_ITEM_LIST_LENGTH", type=int)
    parser.add_argument("--data-path", default="/work/shared/data")
    return parser.parse_args()


def sizes_from(args):
    sizes = {}
    sidecar = args.sidecar
    if sidecar is None:
        guess = os.path.splitext(args.path)[0] + ".json"
        sidecar = guess if os.path.exists(guess) else None
    if sidecar is not None:
        with open(sidecar) as f:
            data = json.load(f)
        data = data.get("model_sizes", data)
        sizes.update({k: SIZE_KEYS[k](data[k]) for k in SIZE_KEYS if k in data})
    sizes.update({k: getattr(args, k) for k in SIZE_KEYS if getattr(args, k) is not None})
    return sizes, sidecar


def main():
    args = parse()
    sizes, sidecar = sizes_from(args)
    path = os.path.abspath(args.path)
    data_path = os.path.abspath(args.data_path)
    sys.argv = sys.argv[:1]  # Config parses sys.argv for --key=value overrides

    import torch
    import recbole
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.model.sequential_recommender import SASRec
    from recbole.trainer import Trainer
    from recbole.utils import init_seed
    from run_recbole_sasrec import config_dict

    assert recbole.__version__ == "1.2.1", recbole.__version__
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - report any reason the file is not loadable
        print(f"error: torch.load({path!r}, weights_only=True) failed: {error}", file=sys.stderr)
        sys.exit(1)
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        print(f"error: {path} is not a plain state dict (name -> tensor): {type(state)}", file=sys.stderr)
        sys.exit(1)

    work = tempfile.mkdtemp(prefix="recbole-check-")
    cwd = os.getcwd()
    os.chdir(work)  # RecBole's Trainer writes log_tensorboard/ into the working directory
    try:
        values = config_dict(data_path, os.path.join(work, "saved"))
        values.update(sizes)
        config = Config(model="SASRec", dataset="ml-100k", config_dict=values)
        init_seed(config["seed"], config["reproducibility"])
        dataset = create_dataset(config)
        train_data, valid_data, test_data = data_preparation(config, dataset)
        init_seed(config["seed"] + config["local_rank"], config["reproducibility"])
        model = SASRec(config, train_data._dataset).to(config["device"])
        try:
            model.load_state_dict(state, strict=True)
        except RuntimeError as error:
            print(f"error: load_state_dict(strict=True) failed: {error}", file=sys.stderr)
            sys.exit(1)
        trainer = Trainer(config, model)
        valid = trainer.evaluate(valid_data, load_best_model=False)
        test = trainer.evaluate(test_data, load_best_model=False)
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({
        "test": {k: float(v) for k, v in test.items()},
        "valid": {k: float(v) for k, v in valid.items()},
        "sizes": {k: config[k] for k in SIZE_KEYS},
        "sidecar": sidecar,
        "n_items": int(dataset.item_num),
        "state_dict": {"tensors": len(state), "dtypes": sorted({str(v.dtype) for v in state.values()})},
    }))


if __name__ == "__main__":
    main()
