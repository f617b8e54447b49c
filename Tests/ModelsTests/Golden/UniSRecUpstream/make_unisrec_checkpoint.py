"""A pretrained UniSRec checkpoint in the layout the authors release, and what their code scores with it.

    .venv-goldens/bin/python Tests/ModelsTests/Golden/UniSRecUpstream/make_unisrec_checkpoint.py [UPSTREAM]

The authors release their pretrained model as the checkpoint RecBole's trainer saves
(`UniSRec-FHCKM-300.pth`: torch.save of {'config', 'epoch', 'cur_step', 'best_valid_score',
'state_dict', 'other_parameter', 'optimizer'}, pickle protocol 4, the config a pickled
recbole Config). This script builds the authors' own UniSRec (`unisrec.py` from UPSTREAM, default
../shared/upstream/UniSRec) at the tiny sizes of make_unisrec_upstream_golden.py, in its
`pretrain` stage over a pretraining text table of 9 rows, sets every parameter to a deterministic
value far from initialisation (that script's `set_parameters`), and saves such a checkpoint in
float32 as `unisrec-pretrained.pth`. It then does what the authors' `finetune.py` does with it for
an inductive transfer: a UniSRec in `inductive_ft` stage over another catalogue (a text table of
7 rows), loading the checkpoint's state dict without its text table and item table (they belong to
the pretraining catalogue), and records `full_sort_predict` for four histories of that catalogue:
`unisrec-import.safetensors` holds `input.features` [7, 6], `input.item_id_list` / `input.item_length`
and `scores` [4, 7] (float64 from the float32 weights). UniSRecImportTests imports the checkpoint
with SeqLab and compares the scores. Both files are the same bytes on every run (torch 2.13).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# The golden generator parses the upstream folder from argv and builds the authors' classes; its
# main() does not run on import.
import make_unisrec_upstream_golden as g  # noqa: E402

import torch  # noqa: E402
from recbole.data.interaction import Interaction  # noqa: E402

PRETRAINED = os.path.join(HERE, "unisrec-pretrained.pth")
OUT = os.path.join(HERE, "unisrec-import.safetensors")
TARGET_HISTORIES = [[1, 2, 3], [4, 5, 6, 1, 2], [6], [3, 3, 5, 4]]


def main():
    generator = torch.Generator().manual_seed(20221212)
    pretraining = g.f32(torch.randn((g.N, g.D_PLM), generator=generator))
    pretraining[0] = 0
    model, config = g.make_model("pretrain", pretraining, None)
    g.set_parameters(model, generator)
    model = model.float()
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    config.__class__ = g.UpstreamConfig            # pickled as the authors' config.Config, not the recording subclass
    config.__dict__.pop("read_keys", None)
    checkpoint = {"config": config, "epoch": 300, "cur_step": 0, "best_valid_score": -1,
                  "state_dict": state, "other_parameter": model.other_parameter(), "optimizer": {}}
    torch.save(checkpoint, PRETRAINED, pickle_protocol=4)

    target = g.f32(torch.randn((7, g.D_PLM), generator=generator))
    target[0] = 0
    transferable = {k: v.double() for k, v in state.items() if k not in ("plm_embedding.weight", "item_embedding.weight")}
    finetune, _ = g.make_model("inductive_ft", target, transferable)
    finetune.eval()
    lengths = [len(h) for h in TARGET_HISTORIES]
    ids = torch.tensor([h + [0] * (g.L - len(h)) for h in TARGET_HISTORIES])
    batch = Interaction({"item_id_list": ids, "item_length": torch.tensor(lengths)})
    with torch.no_grad():
        scores = finetune.full_sort_predict(batch)
    tensors = {"input.features": target.contiguous(), "input.item_id_list": ids.to(torch.int32),
               "input.item_length": torch.tensor(lengths, dtype=torch.int32), "scores": scores.contiguous()}
    g.save_deterministic(tensors, OUT, {"generator": os.path.relpath(__file__, g.ROOT), "upstream_commit": g.UPSTREAM_COMMIT})
    print(f"wrote {PRETRAINED} ({os.path.getsize(PRETRAINED)} bytes) and {OUT}")


if __name__ == "__main__":
    main()
