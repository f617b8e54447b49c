"""Reader fixtures for TorchCheckpoint (Sources/Tensors/IO/TorchCheckpoint.swift), written by torch.save.

    python3 Tests/TensorsTests/Golden/make_torch_checkpoint_golden.py      # torch 2.13.0+cpu

torch-state-dict.pth: torch.save(state, f) with torch's defaults (protocol 2) of an OrderedDict:
  f32      float32 [2, 3]   -1, -0.5, 0, 0.5, 1, 1.5
  f64      float64 [2]      1.25, -3.5
  f16      float16 [3]      0.5, -2, 65504
  bf16     bfloat16 [3]     1, -0.15625, 3
  i64      int64 [4]        0, 5, -3, 2**40
  i32      int32 [2, 2]     1, 2, 3, 4
  flags    bool [3]         True, False, True
  u8       uint8 [2]        0, 255
  scalar   float32 []       7.5
  empty    float32 [0, 4]
  base     float32 [3, 4]   0 .. 11
  view     base's transpose: shape [4, 3], strides [1, 4], the same storage as base
  column   base[:, 1]: shape [3], offset 1, stride 4, the same storage
  weight   an nn.Parameter float32 [2, 2]  0.25, 0.5, 0.75, 1
torch-protocol4.pth: torch.save(..., pickle_protocol=4) of a dict as RecBole's trainer saves one:
  {'config': Config() of a class defined here (so torch.load would need this script; SeqLab reads it as
   an inert record with its __dict__), 'epoch': 3, 'best': 0.125, 'big': 2**70, 'neg': -129,
   'blob': b'ab', 'items': [1, 2.5, 'x', None, True, (1, 2)], 'state_dict': OrderedDict(w=float32 [2] 1, 2),
   'device': torch.device('cpu')}
"""
import collections
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


class Config:
    def __init__(self):
        self.final_config_dict = {"model": "SASRec", "hidden_size": 64, "n_layers": 2}


def main():
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    state = collections.OrderedDict()
    state["f32"] = torch.tensor([[-1, -0.5, 0], [0.5, 1, 1.5]], dtype=torch.float32)
    state["f64"] = torch.tensor([1.25, -3.5], dtype=torch.float64)
    state["f16"] = torch.tensor([0.5, -2, 65504], dtype=torch.float16)
    state["bf16"] = torch.tensor([1, -0.15625, 3], dtype=torch.bfloat16)
    state["i64"] = torch.tensor([0, 5, -3, 2**40], dtype=torch.int64)
    state["i32"] = torch.tensor([[1, 2], [3, 4]], dtype=torch.int32)
    state["flags"] = torch.tensor([True, False, True])
    state["u8"] = torch.tensor([0, 255], dtype=torch.uint8)
    state["scalar"] = torch.tensor(7.5)
    state["empty"] = torch.zeros(0, 4)
    state["base"] = base
    state["view"] = base.t()
    state["column"] = base[:, 1]
    state["weight"] = torch.nn.Parameter(torch.tensor([[0.25, 0.5], [0.75, 1.0]]))
    torch.save(state, os.path.join(HERE, "torch-state-dict.pth"))

    inner = collections.OrderedDict(w=torch.tensor([1.0, 2.0]))
    checkpoint = {
        "config": Config(), "epoch": 3, "best": 0.125, "big": 2**70, "neg": -129, "blob": b"ab",
        "items": [1, 2.5, "x", None, True, (1, 2)], "state_dict": inner, "device": torch.device("cpu"),
    }
    torch.save(checkpoint, os.path.join(HERE, "torch-protocol4.pth"), pickle_protocol=4)


if __name__ == "__main__":
    main()
