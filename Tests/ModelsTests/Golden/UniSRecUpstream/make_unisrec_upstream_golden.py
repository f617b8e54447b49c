#!/usr/bin/env python3
"""Reference numbers computed by the AUTHORS' UniSRec (RUCAIBox/UniSRec, MIT), not by a copy of it.

Run from the repository root with the venv of `make goldens` (../RecBole/requirements.txt: recbole
1.2.1, torch 2.13.0+cpu, numpy 1.23.5, safetensors 0.8.0):

    .venv-goldens/bin/python Tests/ModelsTests/Golden/UniSRecUpstream/make_unisrec_upstream_golden.py [UPSTREAM]

UPSTREAM is the folder holding the authors' unisrec.py, config.py, data/dataset.py and props/
(default ../shared/upstream/UniSRec beside the repository root, commit 05aa5cba in
../shared/upstream/README.md). Nothing of it is copied here: it is imported from there at run time,
and without it the script stops with a message saying so. It writes unisrec-upstream.safetensors
next to this script; the bytes are the same on every run.

What it builds. Every number comes from the authors' classes and functions:
  * config: the authors' `Config` (config.py, a recbole.config.Config subclass) with their
    props/UniSRec.yaml plus props/finetune.yaml (fine-tuning) or props/pretrain.yaml (pretraining),
    as their finetune.py / pretrain.py pass them, overridden by the tiny sizes below. The keys the
    model read are stored in the metadata (`<stage>.config`).
  * model: `unisrec.UniSRec(config, dataset)` (a RecBole SASRec subclass) for train_stage
    'transductive_ft', 'inductive_ft' and 'pretrain', in float64 (torch default dtype float64 and
    model.double()). The dataset is a stub with what UniSRec.__init__ and SequentialRecommender.
    __init__ read: num('item_id') = N and plm_embedding, made by the authors' own
    `UniSRecDataset.weight2emb` (data/dataset.py: nn.Embedding(N, plm_size, padding_idx=0), frozen)
    from the fixed feature table below.
  * sizes: N = 9 item ids (0 = padding, items 1..8), plm_size d = 6, hidden_size H = 8, n_heads 2,
    inner_size 12, n_layers 2, MAX_ITEM_LIST_LENGTH 6, n_exps E = 3, adaptor_layers [6, 8],
    temperature 0.07, lambda 1e-3, gelu, layer_norm_eps 1e-12, every dropout 0 (hidden, attention,
    adaptor). The other keys keep the authors' props values.
  * parameters: one set, drawn from torch.Generator seeded 2205 in the transductive model's
    state_dict order and loaded into all three models (the inductive and pretraining models have
    no item_embedding: UniSRec.__init__ sets it to None): LayerNorm weights 1 + 0.2 N(0,1), their
    biases 0.2 N(0,1), item_embedding.weight (its padding row 0 included) and position_embedding
    0.3 N(0,1), moe_adaptor.w_gate / w_noise 0.5 N(0,1), expert whitening biases 0.3 N(0,1), every
    other weight 0.4 N(0,1), every other bias 0.2 N(0,1). Every value, feature and noise draw is
    rounded to float32 first, so a float32 reader holds exactly the numbers the float64 run used.
  * text features (plm_embedding, the `.feat1CLS` table): 0.8 N(0,1) from torch.Generator seeded
    2204, row 0 zeros. The word-dropped table (`.feat2CLS`, plm_embedding_aug): the same + 0.5
    N(0,1) (same generator), row 0 zeros.
  * batch (RecBole's sequential Interaction): item_id_list [4, 6] left-aligned, zero padded,
    item_length = 5, 3, 1, 4, item_id = 3, 7, 3, 5 (item 2 twice in row 0; rows 0 and 2 share
    the target 3):
        [[2, 5, 2, 8, 1, 0], [4, 6, 1, 0, 0, 0], [7, 0, 0, 0, 0, 0], [3, 8, 6, 5, 0, 0]]

Gate noise. MoEAdaptorLayer.noisy_top_k_gating draws `torch.randn_like(clean_logits)` in training,
once per moe_adaptor call, one N(0,1) per position and expert. Those calls are the only random
draws of these steps (the dropouts are 0 and draw nothing; torch's global RNG state is checked
unchanged). The script replaces only that random source, torch.randn_like, with one that hands out
prepared draws (and fails on any unexpected call): for every moe_adaptor call the draws are made
per DISTINCT text row of the call (a torch.Generator seeded 2206, one row per distinct row in
ascending order) and repeated at every position holding that row. SeqLab draws the noise once per
distinct row (Sources/Models/TextTransfer/UniSRecDraws.swift), where the authors draw per position:
with draws tied this way both compute the same function, and the stored noise is exactly what
the authors' code consumed. Stored per call as drawn: noise.<case>.<k> ([B, L, E], [B, E] or
[N, E]); metadata noise.<case> names the calls in order.

Cases (C); each stores C.loss [1] and C.grad.<state_dict name> for every trainable parameter
(float64, PyTorch layouts: nn.Linear weight [out, in], PWLayer `lin.weight` [H, d], w_gate and
w_noise [d, E]; zeros where a parameter gets no gradient):
  transductive_ft  UniSRec.calculate_loss, train_stage 'transductive_ft', model.train(): item
                   vectors MoE(plm_embedding(item_id_list)) into UniSRec.forward (which adds
                   item_embedding(item_seq)), candidates MoE(plm_embedding.weight) +
                   item_embedding.weight, cosine logits / temperature, nn.CrossEntropyLoss over all
                   N columns. Noise calls: 0 history [4, 6, 3], 1 catalogue [9, 3].
                   transductive_ft.scores [4, 9]: UniSRec.full_sort_predict in model.eval() (clean
                   gates), every column including padding column 0.
  inductive_ft     the same for train_stage 'inductive_ft' (no item_embedding), and its scores.
  pretrain_item_drop, pretrain_word_drop
                   UniSRec.calculate_loss -> UniSRec.pretrain, train_stage 'pretrain': the
                   sequence-item task (seq_item_contrastive_task) + lambda x the sequence-sequence
                   task (seq_seq_contrastive_task). Noise calls: 0 history [4, 6, 3], 1 targets
                   pos_item_emb [4, 3], 2 augmented history [4, 6, 3]. Besides the total, the two
                   tasks' own values are kept by wrapping (not changing) the authors' two methods,
                   which return their loss tensors unchanged, and their gradients taken with
                   torch.autograd.grad: C.seqitem.loss / C.seqitem.grad.<name> and C.seqseq.loss /
                   C.seqseq.grad.<name> (lambda scales the latter by 1e-3 in the total, so it gets
                   its own check).
    The pretraining Interaction holds what the authors' PLMEmb transform (data/transform.py, not
    in ../shared/upstream, so not imported) puts in it: item_emb_list = plm_embedding(item_id_list),
    pos_item_emb = plm_embedding(item_id), and an augmented view item_id_list_aug /
    item_length_aug / item_emb_list_aug. The views are given, not drawn: the ones PLMEmb makes for
    the keep masks below (mask = bernoulli(1 - item_drop_ratio), True = keep).
      item drop (batch coin < item_drop_coefficient): PLMEmb keeps padding and position 0, then
        scatters item j to slot cumsum(mask)[j] - 1, so on the CPU a dropped item overwrites the
        item kept before it; the view's length is that slot index at the last real position + 1.
        Keep masks over the real positions: row 0 [1, 0, 1, 1, 0], row 1 [1, 1, 0], row 2 [1],
        row 3 [1, 1, 0, 0] give the views [5, 2, 1], [4, 1], [7], [3, 5] (ITEM_DROP below, written
        out slot by slot; SeqLab's own augmentation keeps exactly the kept items instead, a
        departure its UniSRecAugmentation.swift states).
      word drop (otherwise): the same items and lengths; a position whose mask is False reads
        plm_embedding_aug (the word-dropped text). Masks: row 0 [1, 0, 1, 1, 0], row 1 [0, 1, 1],
        row 2 [0], row 3 [1, 1, 0, 1].
    C.input.aug_sources [4, 6] (int32) says which text row each augmented position read, in the
    stacked table [plm_embedding; plm_embedding_aug] (N + i = item i's word-dropped row); the
    script checks item_emb_list_aug equals that table at those rows.

Also stored: input.item_id_list, input.item_length, input.item_id (int32), input.plm_embedding
and input.plm_embedding_aug [9, 6] (float64), param.<state_dict name> (the transductive set),
C.input.item_id_list_aug / C.input.item_length_aug (int32). String metadata: <stage>.config (JSON,
sorted keys) per train_stage, noise.<case>, "generator" (this script, the upstream commit if
known, versions). The header's metadata keys are re-emitted sorted (same length and offsets), as
make_recbole_golden.py does, so the file's bytes are identical on every run.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
OUT = os.path.join(HERE, "unisrec-upstream.safetensors")
DEFAULT_UPSTREAM = os.path.join(ROOT, "..", "shared", "upstream", "UniSRec")
UPSTREAM_COMMIT = "05aa5cba2809112c32808f70d16abc61c05c6538"

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("upstream", nargs="?", default=DEFAULT_UPSTREAM,
                    help="folder of the authors' UniSRec (unisrec.py, config.py, data/, props/); "
                         "default ../shared/upstream/UniSRec beside the repository root")
args = parser.parse_args()
UPSTREAM = os.path.abspath(args.upstream)
missing = [f for f in ("unisrec.py", "config.py", "data/dataset.py", "props/UniSRec.yaml",
                       "props/finetune.yaml", "props/pretrain.yaml")
           if not os.path.isfile(os.path.join(UPSTREAM, f))]
if missing:
    sys.exit(f"make_unisrec_upstream_golden.py: the authors' UniSRec is not at {UPSTREAM} "
             f"(missing {', '.join(missing)}). Put RUCAIBox/UniSRec (commit {UPSTREAM_COMMIT[:8]}) "
             f"there or pass its folder as the first argument; unisrec-upstream.safetensors is unchanged.")

# recbole.config.Config parses sys.argv for --key=value overrides; this script passes none.
sys.argv = sys.argv[:1]
sys.path.insert(0, UPSTREAM)
sys.dont_write_bytecode = True   # leave the upstream folder as it is (no __pycache__ there)

import torch  # noqa: E402
from torch import nn  # noqa: E402
import recbole  # noqa: E402
from recbole.data.interaction import Interaction  # noqa: E402
from safetensors.torch import save as safetensors_bytes  # noqa: E402
import safetensors  # noqa: E402

import unisrec as upstream_unisrec  # noqa: E402  (the authors' unisrec.py)
from config import Config as UpstreamConfig  # noqa: E402  (the authors' config.py)
from data.dataset import UniSRecDataset  # noqa: E402  (the authors' data/dataset.py)

assert recbole.__version__ == "1.2.1", recbole.__version__
assert os.path.abspath(upstream_unisrec.__file__) == os.path.join(UPSTREAM, "unisrec.py"), upstream_unisrec.__file__

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

N, D_PLM, H, HEADS, INNER, LAYERS, L, E = 9, 6, 8, 2, 12, 2, 6, 3
TEMPERATURE, LAMBDA = 0.07, 1e-3
HISTORIES = [[2, 5, 2, 8, 1], [4, 6, 1], [7], [3, 8, 6, 5]]
TARGETS = [3, 7, 3, 5]
B = len(HISTORIES)

# Keep masks over each row's real positions (True = keep the item / its primary text).
DROP_MASKS = [[1, 0, 1, 1, 0], [1, 1, 0], [1], [1, 1, 0, 0]]
WORD_MASKS = [[1, 0, 1, 1, 0], [0, 1, 1], [0], [1, 1, 0, 1]]
# The item-drop views PLMEmb's scatter makes from DROP_MASKS (CPU: a later write to a slot wins):
#   row 0 [2, 5, 2, 8, 1], keep [1, 0, 1, 1, 0]: slots [0, 0, 1, 2, 2] -> [5, 2, 1], length 3
#   row 1 [4, 6, 1],       keep [1, 1, 0]:       slots [0, 1, 1]       -> [4, 1],    length 2
#   row 2 [7],             keep [1]:             slots [0]             -> [7],       length 1
#   row 3 [3, 8, 6, 5],    keep [1, 1, 0, 0]:    slots [0, 1, 1, 1]    -> [3, 5],    length 2
# Padding positions are kept and scattered after the last slot, so the rest of a view is zeros.
ITEM_DROP = [[5, 2, 1], [4, 1], [7], [3, 5]]

SIZES = {
    "n_layers": LAYERS, "n_heads": HEADS, "hidden_size": H, "inner_size": INNER,
    "hidden_dropout_prob": 0.0, "attn_dropout_prob": 0.0, "adaptor_dropout_prob": 0.0,
    "plm_size": D_PLM, "adaptor_layers": [D_PLM, H], "n_exps": E,
    "temperature": TEMPERATURE, "lambda": LAMBDA, "MAX_ITEM_LIST_LENGTH": L,
    "gpu_id": "", "use_gpu": False, "seed": 2020, "reproducibility": True,
}
PROPS = {
    "transductive_ft": ["UniSRec.yaml", "finetune.yaml"],
    "inductive_ft": ["UniSRec.yaml", "finetune.yaml"],
    "pretrain": ["UniSRec.yaml", "pretrain.yaml"],
}


def f32(t):
    """The float64 tensor of t's float32-rounded values."""
    return t.to(torch.float32).to(torch.float64)


class RecordingConfig(UpstreamConfig):
    """The authors' Config that remembers which keys were read through config[key]."""

    def __getitem__(self, item):
        self.__dict__.setdefault("read_keys", set()).add(item)
        return super().__getitem__(item)


class StubDataset:
    """What UniSRec.__init__ and SequentialRecommender.__init__ read: num('item_id'), plm_embedding."""

    def __init__(self, features):
        self.item_num, self.plm_size = features.shape
        # The authors' own UniSRecDataset.weight2emb builds the frozen nn.Embedding (padding_idx 0).
        self.plm_embedding = UniSRecDataset.weight2emb(self, features.numpy())

    def num(self, field):
        assert field == "item_id", field
        return self.item_num


class NoiseSource:
    """Stands in for torch.randn_like while a case runs: hands out the prepared draws in order."""

    def __init__(self, draws):
        self.draws = list(draws)
        self.used = 0

    def __call__(self, like, *rest, **options):
        assert not rest and not options, (rest, options)
        assert self.used < len(self.draws), "an unexpected torch.randn_like call"
        draw = self.draws[self.used]
        assert tuple(like.shape) == tuple(draw.shape) and like.dtype == draw.dtype, (like.shape, draw.shape, like.dtype)
        self.used += 1
        return draw.clone()


def run_with_noise(draws, fn):
    """fn() with torch.randn_like replaced by the prepared draws; checks every one was used and
    that nothing else drew from torch's global generator."""
    source = NoiseSource(draws)
    state = torch.get_rng_state()
    original = torch.randn_like
    torch.randn_like = source
    try:
        result = fn()
    finally:
        torch.randn_like = original
    assert source.used == len(draws), f"{source.used} of {len(draws)} noise draws used"
    assert torch.equal(state, torch.get_rng_state()), "something else drew random numbers"
    return result


def tied_noise(rows, generator):
    """N(0,1) draws [*rows.shape, E]: one per distinct value of rows (ascending), repeated."""
    distinct = torch.unique(rows)
    per_row = f32(torch.randn((len(distinct), E), generator=generator))
    return per_row[torch.searchsorted(distinct, rows)]


def make_model(stage, features, state):
    config = RecordingConfig(model=upstream_unisrec.UniSRec, dataset="unisrec-upstream-golden",
                             config_file_list=[os.path.join(UPSTREAM, "props", p) for p in PROPS[stage]],
                             config_dict=dict(SIZES, train_stage=stage))
    config.__dict__["read_keys"] = set()
    model = upstream_unisrec.UniSRec(config, StubDataset(features)).double()
    if state is not None:
        own = model.state_dict()
        missing, unexpected = model.load_state_dict({k: v for k, v in state.items() if k in own}, strict=False)
        assert not unexpected and set(missing) <= {"plm_embedding.weight"}, (missing, unexpected)
    return model, config


def set_parameters(model, generator):
    """Overwrite every trainable state_dict entry (state_dict order) with deterministic values."""
    layer_norms = {name for name, module in model.named_modules() if isinstance(module, nn.LayerNorm)}
    embeddings = {"item_embedding.weight", "position_embedding.weight"}
    with torch.no_grad():
        for name, tensor in model.state_dict(keep_vars=True).items():
            if not tensor.requires_grad:
                continue                                   # plm_embedding: the fixed text table
            owner, _, leaf = name.rpartition(".")
            noise = torch.randn(tensor.shape, generator=generator)
            if owner in layer_norms and leaf == "weight":
                value = 1.0 + 0.2 * noise
            elif owner in layer_norms:
                value = 0.2 * noise
            elif name in embeddings:
                value = 0.3 * noise
            elif name.endswith(("w_gate", "w_noise")):
                value = 0.5 * noise
            elif owner.startswith("moe_adaptor.experts.") and leaf == "bias":
                value = 0.3 * noise
            elif leaf == "bias":
                value = 0.2 * noise
            else:
                value = 0.4 * noise
            tensor.copy_(f32(value))


def trainable(model):
    return [(n, p) for n, p in model.named_parameters() if p.requires_grad]


def store_grads(tensors, prefix, model, grads):
    for (name, parameter), grad in zip(trainable(model), grads):
        tensors[f"{prefix}.grad.{name}"] = (grad if grad is not None else torch.zeros_like(parameter)).detach().clone().contiguous()


def record_config(metadata, stage, config):
    read = {}
    for key in sorted(config.__dict__["read_keys"]):
        value = config.final_config_dict.get(key)
        read[key] = value if isinstance(value, (int, float, str, list, type(None), bool)) else str(value)
    read["n_items"] = N
    metadata[f"{stage}.config"] = json.dumps(read, sort_keys=True)


def i64(rows):
    return torch.tensor(rows, dtype=torch.long)


def padded(rows):
    return i64([r + [0] * (L - len(r)) for r in rows])


def main():
    tensors, metadata = {}, {}
    generator = torch.Generator().manual_seed(2204)
    features = f32(0.8 * torch.randn((N, D_PLM), generator=generator))
    features[0] = 0
    features_aug = f32(features + 0.5 * torch.randn((N, D_PLM), generator=generator))
    features_aug[0] = 0
    stacked = torch.cat([features, features_aug])
    item_seq, item_len, item_id = padded(HISTORIES), i64([len(h) for h in HISTORIES]), i64(TARGETS)
    tensors.update({
        "input.item_id_list": item_seq.to(torch.int32), "input.item_length": item_len.to(torch.int32),
        "input.item_id": item_id.to(torch.int32),
        "input.plm_embedding": features.clone(), "input.plm_embedding_aug": features_aug.clone(),
    })

    model, config = make_model("transductive_ft", features, None)
    set_parameters(model, torch.Generator().manual_seed(2205))
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    for name, parameter in trainable(model):
        tensors[f"param.{name}"] = parameter.detach().clone().contiguous()
    noise_generator = torch.Generator().manual_seed(2206)

    # ---- fine-tuning: calculate_loss (training, noisy gates) and full_sort_predict (eval) ----
    for stage in ("transductive_ft", "inductive_ft"):
        if stage != "transductive_ft":
            model, config = make_model(stage, features, state)
        assert torch.equal(model.plm_embedding.weight, features) and not model.plm_embedding.weight.requires_grad
        assert (model.item_embedding is not None) == (stage == "transductive_ft")
        fields = {"item_id_list": item_seq, "item_length": item_len, "item_id": item_id}
        draws = [tied_noise(item_seq, noise_generator), tied_noise(torch.arange(N), noise_generator)]
        model.train()
        model.zero_grad(set_to_none=True)
        loss = run_with_noise(draws, lambda: model.calculate_loss(Interaction(dict(fields))))
        grads = torch.autograd.grad(loss, [p for _, p in trainable(model)], allow_unused=True)
        model.eval()
        with torch.no_grad():
            scores = run_with_noise([], lambda: model.full_sort_predict(Interaction(dict(fields))))
        assert loss.dtype == scores.dtype == torch.float64 and scores.shape == (B, N)
        tensors[f"{stage}.loss"] = loss.detach().reshape(1).clone()
        store_grads(tensors, stage, model, grads)
        tensors[f"{stage}.scores"] = scores.detach().clone().contiguous()
        for k, draw in enumerate(draws):
            tensors[f"noise.{stage}.{k}"] = draw.contiguous()
        metadata[f"noise.{stage}"] = "0: moe_adaptor(plm_embedding(item_id_list)) [B, L, E]; 1: moe_adaptor(plm_embedding.weight) [N, E]"
        record_config(metadata, stage, config)
        print(f"{stage}: loss {loss.item():.12f}")

    # ---- pretraining: calculate_loss -> pretrain (training, noisy gates) ----
    model, config = make_model("pretrain", features, state)
    assert model.item_embedding is None and not hasattr(model, "plm_embedding")
    plm_embedding = StubDataset(features).plm_embedding
    plm_embedding_aug = StubDataset(features_aug).plm_embedding
    views = {}
    for view in ("item_drop", "word_drop"):
        if view == "item_drop":
            for history, keep, out in zip(HISTORIES, DROP_MASKS, ITEM_DROP):
                assert len(keep) == len(history) and keep[0] == 1 and len(out) == sum(keep)
            aug_seq, aug_len = padded(ITEM_DROP), i64([len(r) for r in ITEM_DROP])
            sources = aug_seq.clone()
        else:
            aug_seq, aug_len = item_seq.clone(), item_len.clone()
            keep = padded(WORD_MASKS).bool() | (item_seq == 0)
            sources = torch.where(keep, item_seq, item_seq + N)
            sources[item_seq == 0] = 0
        emb_aug = stacked[sources]
        if view == "word_drop":   # what PLMEmb's torch.where(mask, feat1, feat2) gives
            assert torch.equal(emb_aug, torch.where(keep.unsqueeze(-1), plm_embedding(item_seq), plm_embedding_aug(item_seq)))
        else:
            assert torch.equal(emb_aug, plm_embedding(aug_seq))
        views[view] = (aug_seq, aug_len, sources, emb_aug)

    for view, (aug_seq, aug_len, sources, emb_aug) in views.items():
        case = f"pretrain_{view}"
        fields = {
            "item_id_list": item_seq, "item_length": item_len, "item_id": item_id,
            "item_emb_list": plm_embedding(item_seq).detach(), "pos_item_emb": plm_embedding(item_id).detach(),
            "item_id_list_aug": aug_seq, "item_length_aug": aug_len, "item_emb_list_aug": emb_aug,
        }
        draws = [tied_noise(item_seq, noise_generator), tied_noise(item_id, noise_generator),
                 tied_noise(sources, noise_generator)]
        kept = {}

        def keeping(name, method):
            def wrapper(*a, **k):
                value = method(*a, **k)
                kept[name] = value
                return value
            return wrapper

        model.seq_item_contrastive_task = keeping("seqitem", upstream_unisrec.UniSRec.seq_item_contrastive_task.__get__(model))
        model.seq_seq_contrastive_task = keeping("seqseq", upstream_unisrec.UniSRec.seq_seq_contrastive_task.__get__(model))
        model.train()
        model.zero_grad(set_to_none=True)
        loss = run_with_noise(draws, lambda: model.calculate_loss(Interaction(dict(fields))))
        del model.seq_item_contrastive_task, model.seq_seq_contrastive_task
        assert torch.allclose(loss, kept["seqitem"] + LAMBDA * kept["seqseq"], rtol=0, atol=1e-15)
        params = [p for _, p in trainable(model)]
        for part, value in (("", loss), (".seqitem", kept["seqitem"]), (".seqseq", kept["seqseq"])):
            grads = torch.autograd.grad(value, params, allow_unused=True, retain_graph=True)
            tensors[f"{case}{part}.loss"] = value.detach().reshape(1).clone()
            store_grads(tensors, case + part, model, grads)
            print(f"{case}{part or ' (total)'}: loss {value.item():.12f}")
        tensors[f"{case}.input.item_id_list_aug"] = aug_seq.to(torch.int32)
        tensors[f"{case}.input.item_length_aug"] = aug_len.to(torch.int32)
        tensors[f"{case}.input.aug_sources"] = sources.to(torch.int32)
        for k, draw in enumerate(draws):
            tensors[f"noise.{case}.{k}"] = draw.contiguous()
        metadata[f"noise.{case}"] = ("0: moe_adaptor(item_emb_list) [B, L, E]; 1: moe_adaptor(pos_item_emb) [B, E]; "
                                     "2: moe_adaptor(item_emb_list_aug) [B, L, E]")
    record_config(metadata, "pretrain", config)

    for name, tensor in tensors.items():
        assert tensor.dtype in (torch.float64, torch.int32), (name, tensor.dtype)
    metadata["generator"] = (
        f"Tests/ModelsTests/Golden/UniSRecUpstream/make_unisrec_upstream_golden.py; the authors' UniSRec "
        f"(RUCAIBox/UniSRec, commit {UPSTREAM_COMMIT} per ../shared/upstream/README.md) imported from "
        f"../shared/upstream/UniSRec; recbole {recbole.__version__}, torch {torch.__version__}, "
        f"safetensors {safetensors.__version__}"
    )
    save_deterministic(tensors, OUT, metadata)
    print(f"wrote {OUT}: {len(tensors)} tensors, {os.path.getsize(OUT)} bytes")


def save_deterministic(tensors, path, metadata):
    """safetensors.torch.save with the header's __metadata__ keys in sorted order (safetensors keeps
    them in a hash map); the header is re-emitted with the same length, so every offset stays."""
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


if __name__ == "__main__":
    main()
