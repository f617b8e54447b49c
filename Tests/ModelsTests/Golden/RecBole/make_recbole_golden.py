#!/usr/bin/env python3
"""Reference numbers computed by RecBole 1.2.1's own SASRec, GRU4Rec, BERT4Rec and NextItNet classes.

Run from the repository root with the venv of `make goldens` (requirements.txt beside this file:
recbole==1.2.1 installed with --no-deps, torch==2.13.0+cpu, numpy 1.23.5, safetensors 0.8.0):

    .venv-goldens/bin/python Tests/ModelsTests/Golden/RecBole/make_recbole_golden.py

It writes recbole-modules.safetensors next to this script; the bytes are the same on every run.

What it builds (nothing of RecBole is copied or re-implemented here; every number comes from the
classes in recbole.model.sequential_recommender, imported from the installed package):

  * A recbole.config.Config(model=<class>, dataset="recbole-golden", config_dict=...) per model: the
    model's properties/model/<Model>.yaml defaults, overridden by the sizes below. No dataset is
    loaded and no trainer runs; the dataset handed to the constructor is a stub whose num(field)
    answers n_items for item_id, which is all SequentialRecommender.__init__ reads from it.
  * The model is built in float64 (torch default dtype float64 for the whole script and
    model.double(); the default dtype matters because RecBole makes some tensors inside forward
    with it: get_attention_mask's torch.where(.., 0.0, -10000.0) and BERT4Rec's multi_hot_embed
    zeros). Every entry of model.state_dict(), in state_dict order, is then overwritten from one
    torch.Generator seeded with 2121: nn.LayerNorm weights 1 + 0.2 N(0,1), LayerNorm biases
    0.2 N(0,1), every other weight 0.4 N(0,1), every other bias 0.2 N(0,1), the padding row 0 of
    the item embedding included (RecBole's own init also leaves it nonzero). All dropouts 0,
    reg_weight 0, loss_type CE (and BPR for case sasrec_bpr).
  * A fixed batch, an Interaction (recbole.data.interaction.Interaction) as RecBole's sequential
    dataloader makes it: B = 3 histories in item_id_list, left-aligned and zero padded at the end,
    item_length = 6, 4, 2, and the next item in item_id:
        item_id_list = [[3, 7, 1, 12, 19, 5], [4, 9, 9, 2, 0, 0], [15, 6, 0, 0, 0, 0]]
        item_id      = [8, 17, 11]            (GRU4Rec: 12 items, its ids are taken modulo 13)
  * model.calculate_loss(interaction) -> M.loss, .backward() -> M.grad.<name> for every parameter,
    then model.full_sort_predict(interaction) -> M.scores [B, n_items] (PAD column 0 included;
    BERT4Rec's scores leave out the mask token's row, as RecBole does). The keys each model
    actually read from the Interaction are recorded while it runs, and exactly those are stored as
    M.input.<key> (int32).

Models (M):
  sasrec      SASRec: n_items 20 (ids 1..19, 0 = padding), hidden_size 8, n_heads 2, inner_size 16,
              n_layers 2, hidden_act gelu, layer_norm_eps 1e-12, MAX_ITEM_LIST_LENGTH 6, loss CE.
  sasrec_bpr  the same module and parameters with loss_type BPR; fixed negatives
              neg_item_id = [2, 13, 4] (one per row, as RecBole's pairwise sampler gives them).
  gru4rec     GRU4Rec: n_items 13 (ids 1..12), embedding_size 6, hidden_size 5, num_layers 2,
              loss CE. Batch: the ids above modulo 13 (item_id_list [[3,7,1,12,6,5],[4,9,9,2,0,0],
              [2,6,0,0,0,0]], item_id [8, 4, 11]).
  bert4rec    BERT4Rec: n_items 20 (ids 1..19), mask token 20 (item_embedding has 21 rows),
              hidden_size 8, n_heads 2, inner_size 16, n_layers 2, mask_ratio 0.5, so
              mask_item_length = int(0.5 * 6) = 3. The masked batch is the one RecBole's
              MaskItemSequence transform would make for the masked positions [[1, 3, 4, 5], [0, 2],
              [1]]: Mask_item_id_list has the mask token at those positions; MASK_INDEX /
              Pos_item_id / Neg_item_id are [B, 3], left-padded with 0 and keeping the last 3
              positions (its _padding_sequence). So row 0's position 1 is masked in the input but
              not predicted, and row 1's position 0 is in MASK_INDEX as 0 and has weight 0 in
              RecBole's loss (targets = MASK_INDEX > 0). Negatives (read by calculate_loss even
              for CE, unused by it): fixed. full_sort_predict reads item_id_list / item_length and
              appends the mask token itself (reconstruct_test_data).
  nextitnet   NextItNet: n_items 20, embedding_size 8, block_num 1, dilations [1, 2] (so two
              ResidualBlock_b with dilations 1 and 2, the second conv of each at twice that),
              kernel_size 3, reg_weight 0, loss CE. NextItNet reads only item_id_list and takes
              the hidden state of the LAST column (dilate_outputs[:, -1, :]) whatever the length,
              so rows 1 and 2 are read at a padding position: that is RecBole 1.2.1's behaviour
              and is what is stored.

Stored, per M: M.param.<exact RecBole state_dict name> (float64, PyTorch layout: nn.Linear weight
[out, in], Conv2d [out, in, 1, k], GRU weight_ih_l<k> [3H, in] gates r, z, n), M.input.<key> (int32),
M.loss [1], M.grad.<exact state_dict name> (float64, zeros where a parameter gets no gradient),
M.scores [B, n_items] (float64). String metadata: M.config = JSON (sorted keys) of every config
key the model's constructor and methods read from the Config, plus n_items; "generator" names
this script and the versions used. safetensors keeps metadata in a hash map (its order changes
from run to run), so the header is re-emitted with the metadata keys sorted, same length and
offsets: the file's bytes are identical on every run (checked with sha256sum).
"""
import json
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "recbole-modules.safetensors")

# Config parses sys.argv for --key=value overrides; this script takes none.
sys.argv = sys.argv[:1]

import recbole  # noqa: E402
from recbole.config import Config  # noqa: E402
from recbole.data.interaction import Interaction  # noqa: E402
from recbole.model.sequential_recommender import BERT4Rec, GRU4Rec, NextItNet, SASRec  # noqa: E402
from safetensors.torch import save as safetensors_bytes  # noqa: E402
import safetensors  # noqa: E402

assert recbole.__version__ == "1.2.1", recbole.__version__

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

B, L = 3, 6
SEQUENCE = [[3, 7, 1, 12, 19, 5], [4, 9, 9, 2, 0, 0], [15, 6, 0, 0, 0, 0]]
LENGTHS = [6, 4, 2]
TARGETS = [8, 17, 11]
BPR_NEGATIVES = [2, 13, 4]
BERT_MASKED_POSITIONS = [[1, 3, 4, 5], [0, 2], [1]]
BERT_NEGATIVES = [[6, 2, 10], [0, 14, 3], [0, 0, 18]]

COMMON = {
    "gpu_id": "",
    "use_gpu": False,
    "seed": 2020,
    "reproducibility": True,
    "MAX_ITEM_LIST_LENGTH": L,
    "train_neg_sample_args": None,
}
TRANSFORMER = {
    "hidden_size": 8,
    "n_heads": 2,
    "inner_size": 16,
    "n_layers": 2,
    "hidden_dropout_prob": 0.0,
    "attn_dropout_prob": 0.0,
    "hidden_act": "gelu",
    "layer_norm_eps": 1e-12,
}


class RecordingConfig(Config):
    """recbole.config.Config that remembers which keys were read through config[key]."""

    def __getitem__(self, item):
        self.__dict__.setdefault("read_keys", set()).add(item)
        return super().__getitem__(item)


class RecordingInteraction(Interaction):
    """Interaction that remembers which fields a model read through interaction[key]."""

    def __getitem__(self, index):
        if isinstance(index, str):
            self.__dict__.setdefault("read_keys", set()).add(index)
        return super().__getitem__(index)


class StubDataset:
    """All SequentialRecommender.__init__ asks of a dataset: num(ITEM_ID)."""

    def __init__(self, n_items):
        self.n_items = n_items

    def num(self, field):
        assert field == "item_id", field
        return self.n_items


def make_config(model_class, values):
    config_dict = dict(COMMON)
    config_dict.update(values)
    config = RecordingConfig(model=model_class, dataset="recbole-golden", config_dict=config_dict)
    config.__dict__["read_keys"] = set()
    return config


def set_parameters(model, generator):
    """Overwrite every state_dict entry (state_dict order) with deterministic values."""
    layer_norms = {name for name, module in model.named_modules() if isinstance(module, nn.LayerNorm)}
    with torch.no_grad():
        for name, tensor in model.state_dict(keep_vars=True).items():
            owner, _, leaf = name.rpartition(".")
            noise = torch.randn(tensor.shape, generator=generator, dtype=torch.float64)
            if owner in layer_norms and leaf == "weight":
                value = 1.0 + 0.2 * noise
            elif owner in layer_norms or "bias" in leaf:
                value = 0.2 * noise
            else:
                value = 0.4 * noise
            tensor.copy_(value)


def save_deterministic(tensors, path, metadata):
    """safetensors.torch.save, with the header's __metadata__ keys put in sorted order.

    safetensors keeps the metadata in a hash map, so its key order (and the file's bytes) change
    from run to run; the tensors' order is already fixed. The header is re-emitted in the same
    compact JSON with the same length, so every offset stays as safetensors wrote it.
    """
    data = safetensors_bytes(tensors, metadata=metadata)
    n = int.from_bytes(data[:8], "little")
    text = data[8:8 + n].decode("utf-8")
    header = json.loads(text)
    header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    new = json.dumps(header, separators=(",", ":"), ensure_ascii=False)
    new = new + " " * (len(text.encode("utf-8")) - len(new.encode("utf-8")))
    assert len(new.encode("utf-8")) == n and json.loads(new) == json.loads(text)
    with open(path, "wb") as f:
        f.write(data[:8] + new.encode("utf-8") + data[8 + n:])


def i64(rows):
    return torch.tensor(rows, dtype=torch.long)


def run_case(case, model, config, fields, n_items, tensors, metadata):
    model.eval()  # dropouts are 0 anyway; eval() keeps nothing stochastic
    interaction = RecordingInteraction({k: v.clone() for k, v in fields.items()})
    model.zero_grad(set_to_none=True)
    loss = model.calculate_loss(interaction)
    loss.backward()
    with torch.no_grad():
        scores = model.full_sort_predict(interaction)
    assert loss.dtype == torch.float64 and scores.dtype == torch.float64
    assert scores.shape[0] == B

    for name, tensor in model.state_dict().items():
        tensors[f"{case}.param.{name}"] = tensor.detach().clone().contiguous()
    parameters = dict(model.named_parameters())
    assert set(parameters) == set(model.state_dict()), "buffers in state_dict"
    for name, parameter in parameters.items():
        grad = parameter.grad if parameter.grad is not None else torch.zeros_like(parameter)
        tensors[f"{case}.grad.{name}"] = grad.detach().clone().contiguous()
    for key in sorted(interaction.__dict__["read_keys"]):
        tensors[f"{case}.input.{key}"] = fields[key].to(torch.int32).contiguous()
    tensors[f"{case}.loss"] = loss.detach().reshape(1).clone()
    tensors[f"{case}.scores"] = scores.detach().clone().contiguous()

    read = {}
    for key in sorted(config.__dict__["read_keys"]):
        value = config.final_config_dict.get(key)
        read[key] = value if isinstance(value, (int, float, str, list, type(None), bool)) else str(value)
    read["n_items"] = n_items
    metadata[f"{case}.config"] = json.dumps(read, sort_keys=True)
    print(f"{case}: loss {loss.item():.12f}, reads {sorted(interaction.__dict__['read_keys'])}")


def sequential_fields(sequence, targets):
    return {
        "item_id_list": i64(sequence),
        "item_length": i64(LENGTHS),
        "item_id": i64(targets),
    }


def main():
    tensors, metadata = {}, {}

    # SASRec, CE and BPR (same parameters).
    n_items = 20
    values = dict(TRANSFORMER, initializer_range=0.02, loss_type="CE")
    config = make_config(SASRec, values)
    model = SASRec(config, StubDataset(n_items)).double()
    set_parameters(model, torch.Generator().manual_seed(2121))
    run_case("sasrec", model, config, sequential_fields(SEQUENCE, TARGETS), n_items, tensors, metadata)
    state = {k: v.clone() for k, v in model.state_dict().items()}

    config = make_config(SASRec, dict(values, loss_type="BPR"))
    model = SASRec(config, StubDataset(n_items)).double()
    model.load_state_dict(state, strict=True)
    fields = sequential_fields(SEQUENCE, TARGETS)
    fields["neg_item_id"] = i64(BPR_NEGATIVES)
    run_case("sasrec_bpr", model, config, fields, n_items, tensors, metadata)

    # GRU4Rec.
    n_items = 13
    config = make_config(GRU4Rec, {
        "embedding_size": 6, "hidden_size": 5, "num_layers": 2, "dropout_prob": 0.0, "loss_type": "CE",
    })
    model = GRU4Rec(config, StubDataset(n_items)).double()
    set_parameters(model, torch.Generator().manual_seed(2122))
    sequence = [[v % n_items for v in row] for row in SEQUENCE]
    assert all(v != 0 for row, n in zip(sequence, LENGTHS) for v in row[:n])
    run_case("gru4rec", model, config, sequential_fields(sequence, [t % n_items for t in TARGETS]),
             n_items, tensors, metadata)

    # BERT4Rec with a fixed masked batch in MaskItemSequence's format.
    n_items = 20
    mask_ratio = 0.5
    config = make_config(BERT4Rec, dict(TRANSFORMER, initializer_range=0.02, mask_ratio=mask_ratio,
                                        loss_type="CE", ft_ratio=0.0,
                                        MASK_ITEM_SEQ="Mask_item_id_list", POS_ITEMS="Pos_item_id",
                                        NEG_ITEMS="Neg_item_id", MASK_INDEX="MASK_INDEX"))
    model = BERT4Rec(config, StubDataset(n_items)).double()
    set_parameters(model, torch.Generator().manual_seed(2123))
    mask_len = int(mask_ratio * L)
    assert model.mask_item_length == mask_len == 3 and model.mask_token == n_items
    masked = [row.copy() for row in SEQUENCE]
    masked_index, pos_items = [], []
    for b, positions in enumerate(BERT_MASKED_POSITIONS):
        for t in positions:
            masked[b][t] = n_items
        # MaskItemSequence._padding_sequence: [0] * pad + seq, then keep the last mask_len.
        kept_index = ([0] * mask_len + positions)[-mask_len:]
        kept_items = ([0] * mask_len + [SEQUENCE[b][t] for t in positions])[-mask_len:]
        masked_index.append(kept_index)
        pos_items.append(kept_items)
    fields = sequential_fields(SEQUENCE, TARGETS)
    fields.update({
        "Mask_item_id_list": i64(masked),
        "Pos_item_id": i64(pos_items),
        "Neg_item_id": i64(BERT_NEGATIVES),
        "MASK_INDEX": i64(masked_index),
    })
    run_case("bert4rec", model, config, fields, n_items, tensors, metadata)

    # NextItNet.
    n_items = 20
    config = make_config(NextItNet, {
        "embedding_size": 8, "block_num": 1, "dilations": [1, 2], "kernel_size": 3,
        "reg_weight": 0.0, "loss_type": "CE",
    })
    model = NextItNet(config, StubDataset(n_items)).double()
    set_parameters(model, torch.Generator().manual_seed(2124))
    run_case("nextitnet", model, config, sequential_fields(SEQUENCE, TARGETS), n_items, tensors, metadata)

    metadata["generator"] = (
        f"Tests/ModelsTests/Golden/RecBole/make_recbole_golden.py; recbole {recbole.__version__}, "
        f"torch {torch.__version__}, safetensors {safetensors.__version__}"
    )
    save_deterministic(tensors, OUT, metadata)
    print(f"wrote {OUT}: {len(tensors)} tensors, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
