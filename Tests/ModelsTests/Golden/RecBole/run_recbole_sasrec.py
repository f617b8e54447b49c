#!/usr/bin/env python3
"""One epoch of RecBole 1.2.1's SASRec on MovieLens-100K (CPU), with RecBole's own trainer.

Run from the repository root with the venv of `make goldens` (a few minutes on 2 cores; `make goldens
RECBOLE_RUN=1` runs it after the module goldens):

    .venv-goldens/bin/python Tests/ModelsTests/Golden/RecBole/run_recbole_sasrec.py [DATA_PATH]

DATA_PATH is the folder that holds ml-100k/ml-100k.inter (default /work/shared/data; the CI
checkout has it at ../shared/data).

What it does: the steps of recbole.quick_start.run_recbole, called one by one because importing
recbole.quick_start needs ray, which this venv leaves out: Config -> init_seed -> init_logger ->
create_dataset -> data_preparation -> init_seed -> SASRec(config, train_data.dataset) ->
get_flops (kept: it runs the model once in training mode, so its dropout draws shift the random
stream exactly as run_recbole does) -> Trainer.fit (1 epoch, validation after it, the checkpoint
saved by RecBole) -> Trainer.evaluate(test_data, load_best_model=True). Everything runs in a
temporary directory (RecBole writes log/ and log_tensorboard/ into the working directory); the
checkpoint goes to a temporary checkpoint_dir.

Config: SASRec.yaml defaults (hidden_size 64, inner_size 256, n_layers 2, n_heads 2, dropouts 0.5,
gelu, layer_norm_eps 1e-12, initializer_range 0.02), loss_type CE, train_neg_sample_args None,
MAX_ITEM_LIST_LENGTH 50, load_col inter [user_id, item_id, timestamp], eval_args split LS
valid_and_test / order TO / group_by user / mode full, metrics Hit, NDCG, MRR @ 10,
metric_decimal_place 8, seed 2020, reproducibility True, epochs 1, gpu_id "" and use_gpu False
(CPU), show_progress False (no progress bars; it changes no number). Everything else RecBole's
defaults (train_batch_size 2048, adam, learning_rate 0.001, eval_batch_size 4096, valid_metric
MRR@10).

torch >= 2.6 loads with weights_only=True by default, and RecBole 1.2.1's Trainer.evaluate reads
its own checkpoint (which pickles the Config) with a bare torch.load; TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1
(torch's own switch for call sites that pass no weights_only) restores the old default for it.

Writes into Tests/WorkbenchTests/Fixtures/RecBole/:
  SASRec-ml-100k-1epoch.pth   the checkpoint exactly as RecBole's Trainer._save_checkpoint wrote it
                              (torch.save of {config, epoch, cur_step, best_valid_score, state_dict,
                              other_parameter, optimizer}, pickle_protocol 4)
  SASRec-ml-100k-1epoch.json  RecBole's test and valid metrics (full precision), the training loss,
                              n_items / n_users (RecBole's counts, padding id 0 included), the
                              number of test users, RecBole's item and user token order
                              (dataset.field2id_token; index = RecBole's internal id, index 0 is
                              "[PAD]"), and per test user in ascending RecBole user id: the user's
                              id and token, the positive (test) item's id and token, the history
                              length, the positive's float32 score, and its 1-based rank.

The rank is computed as RecBole's evaluator does it: scores = model.full_sort_predict through
Trainer._full_sort_batch_eval (column 0, the padding id, set to -inf; for sequential models
RecBole's FullSortEvalDataLoader passes history_index None, so no history item is masked), then
torch.topk over the row. rank = 1 + the positive's position in torch.topk(scores, n_items); the
script checks that it agrees with torch.topk(scores, 10) (what Collector.eval_batch_collect uses)
for every positive in the top 10, and that Hit/NDCG/MRR@10 recomputed from the ranks equal
RecBole's. n_greater / n_tied are the counts of items with a strictly larger / equal score.
"""
import json
import os
import shutil
import sys
import tempfile
import time
from logging import getLogger

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
FIXTURES = os.path.join(REPO, "Tests", "WorkbenchTests", "Fixtures", "RecBole")

DEFAULT_DATA_PATH = "/work/shared/data"
os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402
import recbole  # noqa: E402
from recbole.config import Config  # noqa: E402
from recbole.data import create_dataset, data_preparation  # noqa: E402
from recbole.data.transform import construct_transform  # noqa: E402
from recbole.model.sequential_recommender import SASRec  # noqa: E402
from recbole.trainer import Trainer  # noqa: E402
from recbole.utils import get_flops, init_logger, init_seed  # noqa: E402

assert recbole.__version__ == "1.2.1", recbole.__version__


def config_dict(data_path, checkpoint_dir):
    """The run's config (shared with check_recbole_export.py)."""
    return {
        "seed": 2020,
        "reproducibility": True,
        "gpu_id": "",
        "use_gpu": False,
        "show_progress": False,
        "data_path": data_path,
        "checkpoint_dir": checkpoint_dir,
        "epochs": 1,
        "loss_type": "CE",
        "train_neg_sample_args": None,
        "MAX_ITEM_LIST_LENGTH": 50,
        "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
        "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "group_by": "user", "mode": "full"},
        "metrics": ["Hit", "NDCG", "MRR"],
        "topk": [10],
        "metric_decimal_place": 8,
    }


def per_user_ranks(trainer, test_data, n_items):
    """RecBole's full-sort scores for every test row, and the positive's rank among them."""
    trainer.model.eval()
    rows = []
    with torch.no_grad():
        for batched_data in test_data:
            interaction, scores, positive_u, positive_i = trainer._full_sort_batch_eval(batched_data)
            assert scores.shape[1] == n_items and scores.dtype == torch.float32
            _, top10 = torch.topk(scores, 10, dim=-1)
            _, full = torch.topk(scores, n_items, dim=-1)
            users = interaction["user_id"]
            lengths = interaction["item_length"]
            for r in range(scores.shape[0]):
                u, i = int(positive_u[r]), int(positive_i[r])
                assert u == r
                row = scores[r]
                position = int((full[r] == i).nonzero()[0, 0])
                in10 = (top10[r] == i).nonzero()
                if position < 10:
                    assert in10.numel() == 1 and int(in10[0, 0]) == position, (r, position, in10)
                else:
                    assert in10.numel() == 0
                s = row[i]
                rows.append({
                    "user_id": int(users[r]),
                    "item_id": i,
                    "history_length": int(lengths[r]),
                    "score": float(s),
                    "rank": position + 1,
                    "n_greater": int((row > s).sum()),
                    "n_tied": int((row == s).sum()) - 1,
                })
    rows.sort(key=lambda x: x["user_id"])
    return rows


def metrics_from_ranks(ranks):
    """Hit, NDCG and MRR @ 10 from 1-based ranks, before RecBole's round(value, 8): per user, then
    the float64 mean over users as RecBole's TopkMetric.topk_result does (numpy mean of the
    per-user column)."""
    ranks = np.array(ranks)
    inside = ranks <= 10
    return {
        "hit@10": float(inside.astype(np.float64).mean()),
        "ndcg@10": float(np.where(inside, 1.0 / np.log2(ranks + 1.0), 0.0).mean()),
        "mrr@10": float(np.where(inside, 1.0 / ranks, 0.0).mean()),
    }


def main():
    data_path = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DATA_PATH)
    sys.argv = sys.argv[:1]  # Config parses sys.argv for --key=value overrides
    started = time.time()
    work = tempfile.mkdtemp(prefix="recbole-sasrec-")
    checkpoint_dir = os.path.join(work, "saved")
    cwd = os.getcwd()
    os.chdir(work)
    try:
        config = Config(model="SASRec", dataset="ml-100k", config_dict=config_dict(data_path, checkpoint_dir))
        init_seed(config["seed"], config["reproducibility"])
        init_logger(config)

        dataset = create_dataset(config)
        train_data, valid_data, test_data = data_preparation(config, dataset)

        init_seed(config["seed"] + config["local_rank"], config["reproducibility"])
        model = SASRec(config, train_data._dataset).to(config["device"])
        transform = construct_transform(config)
        get_flops(model, dataset, config["device"], getLogger(), transform)

        trainer = Trainer(config, model)
        fit_started = time.time()
        best_valid_score, best_valid_result = trainer.fit(
            train_data, valid_data, saved=True, show_progress=config["show_progress"])
        fit_seconds = time.time() - fit_started
        eval_started = time.time()
        test_result = trainer.evaluate(
            test_data, load_best_model=True, show_progress=config["show_progress"])
        eval_seconds = time.time() - eval_started
        recbole_seconds = time.time() - started
        checkpoint_file = trainer.saved_model_file

        n_items = dataset.item_num
        rows = per_user_ranks(trainer, test_data, n_items)
        ranks = [r["rank"] for r in rows]
        test_unrounded = metrics_from_ranks(ranks)
        valid_unrounded = metrics_from_ranks([r["rank"] for r in per_user_ranks(trainer, valid_data, n_items)])
        for mine, theirs in ((test_unrounded, test_result), (valid_unrounded, best_valid_result)):
            for name, value in mine.items():
                assert abs(value - theirs[name]) <= 5.000001e-9, (name, value, theirs[name])
    finally:
        os.chdir(cwd)

    item_tokens = [str(t) for t in dataset.field2id_token["item_id"]]
    user_tokens = [str(t) for t in dataset.field2id_token["user_id"]]
    os.makedirs(FIXTURES, exist_ok=True)
    pth = os.path.join(FIXTURES, "SASRec-ml-100k-1epoch.pth")
    shutil.copyfile(checkpoint_file, pth)
    report = {
        "generator": "Tests/ModelsTests/Golden/RecBole/run_recbole_sasrec.py",
        "recbole": recbole.__version__,
        "torch": torch.__version__,
        "config": {k: v for k, v in config_dict(data_path, "<temporary>").items() if k != "data_path"},
        "model_sizes": {k: config[k] for k in (
            "hidden_size", "inner_size", "n_layers", "n_heads", "hidden_dropout_prob", "attn_dropout_prob",
            "hidden_act", "layer_norm_eps", "initializer_range", "MAX_ITEM_LIST_LENGTH")},
        "test": {k: float(v) for k, v in test_result.items()},
        "valid": {k: float(v) for k, v in best_valid_result.items()},
        "test_unrounded": test_unrounded,
        "valid_unrounded": valid_unrounded,
        "best_valid_score": float(best_valid_score),
        "train_loss_epoch0": float(trainer.train_loss_dict[0]),
        "n_items": int(dataset.item_num),
        "n_users": int(dataset.user_num),
        "n_interactions": int(dataset.inter_num),
        "n_test_users": len(rows),
        "item_tokens": item_tokens,
        "user_tokens": user_tokens,
        "test_users": {
            "user_id": [r["user_id"] for r in rows],
            "user_token": [user_tokens[r["user_id"]] for r in rows],
            "item_id": [r["item_id"] for r in rows],
            "item_token": [item_tokens[r["item_id"]] for r in rows],
            "history_length": [r["history_length"] for r in rows],
            "score": [r["score"] for r in rows],
            "rank": ranks,
            "n_greater": [r["n_greater"] for r in rows],
            "n_tied": [r["n_tied"] for r in rows],
        },
    }
    out = os.path.join(FIXTURES, "SASRec-ml-100k-1epoch.json")
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({
        "test": report["test"], "valid": report["valid"], "test_unrounded": test_unrounded,
        "valid_unrounded": valid_unrounded, "train_loss": report["train_loss_epoch0"],
        "recbole_seconds": round(recbole_seconds, 1), "fit_seconds": round(fit_seconds, 1),
        "evaluate_seconds": round(eval_seconds, 1), "pth_bytes": os.path.getsize(pth),
        "n_items": report["n_items"], "n_users": report["n_users"], "n_test_users": len(rows),
        "ties_at_positive": sum(1 for r in rows if r["n_tied"] > 0),
    }))


if __name__ == "__main__":
    main()
