"""PyTorch reference ("golden") numbers for the SeqLab tensor engine tests.

Run (from anywhere; outputs are written next to this script):

    python3 Tests/TensorsTests/Golden/make_golden.py

Needs torch (generated with 2.13.0+cpu) and safetensors. Deterministic:
torch.manual_seed(0), torch.set_num_threads(1), float32 everywhere.

Writes
  ops.safetensors           gradient / optimizer reference cases (below)
  torch-written.safetensors dtype/shape round-trip fixture written by
                            safetensors.torch.save_file (metadata {"writer": "torch"})

Every gradient case draws a random upstream gradient R (`<case>.r`), uses
loss = (out * R).sum() and stores d loss / d input.

conv_causal_d1, conv_causal_d2, conv_causal_d4, conv_same_d2, conv_causal_k2_d1
    Channels-last conv1d: x [B=2, L=9, Cin=3], W [k, Cin, Cout=4], bias [Cout]
    (k=3, except k=2 for conv_causal_k2_d1).
    causal: y[b,t] = bias + sum_j x[b, t - (k-1-j)*d] @ W[j]     (x[<0] = 0)
    same:   y[b,t] = bias + sum_j x[b, t + (j-(k-1)/2)*d] @ W[j] (0 outside [0,L))
    Computed with F.conv1d on x.transpose(1,2) and weight W.permute(2,1,0)
    with explicit F.pad. Names: .x .w .b .r .y .dx .dw .db
ln_eps1e-5, ln_eps1e-8
    Layer norm over the last axis of x [2,3,5], random affine gamma/beta [5].
    Names: .x .gamma .beta .r .y .dx .dgamma .dbeta
att_causal, att_pad
    Multi-head attention on already-projected q, k, v [B=2, L=5, H=8], 2 heads
    of dim 4 (head h = columns 4h..4h+3). scores = q_h k_h^T / sqrt(4) + mask,
    mask = -10000.0 (added) where key is padding or (att_causal) key > query.
    Left-aligned key lengths [5, 3]. out [B, L, H] = heads concatenated.
    Names: .q .k .v .lengths(int32 [2]) .r .out .probs [B,2,L,L] .dq .dk .dv
ce
    Cross entropy, ce.logits [6,10], ce.targets int32 [6] (0 = ignore, rows 1
    and 4), mean over non-ignored rows. ce.loss [1]; ce.dlogits = d loss (no R).
fce
    Fused projection + CE: logits = h @ w + b, fce.h [7,5], fce.w [5,300],
    fce.b [300], fce.targets int32 [7] (row 2 = 0 = ignored).
    fce.loss [1], fce.dh, fce.dw, fce.db (d loss, no R).
fcet
    Tied variant: logits = h @ table^T, fcet.table [300,5], no bias.
    fcet.h, fcet.table, fcet.targets, fcet.loss [1], fcet.dh, fcet.dtable.
sm
    sm.x [3,7], sm.r; sm.softmax, sm.dsoftmax_x, sm.logsoftmax,
    sm.dlogsoftmax_x (softmax over the last axis).
act
    act.x [40] = linspace(-6, 6, 40) (closest point to 0 is +-0.154), act.r;
    for f in relu, gelu (exact erf form), sigmoid, tanh, softplus (beta=1,
    threshold=20): act.<f>, act.d<f>.
adam / adamw / sgd
    adam.p0 [3,4], adam.grads [5,3,4] (p.grad set manually each of 5 steps).
    adam.plain.params [5,3,4]: Adam(lr=1e-2, betas=(0.9,0.999), eps=1e-8)
    adam.l2.params:            same + weight_decay=0.1 (L2 added to grad)
    adamw.params:              AdamW(lr=1e-2, betas=(0.9,0.999), eps=1e-8,
                               weight_decay=0.1) (decoupled)
    sgd.params:                SGD(lr=0.1, momentum=0.9) (dampening 0,
                               buffer = grad on step 1, no nesterov)
    Row s of *.params is the parameter after step s+1.
clip
    clip.g1 [3,4], clip.g2 [6]; clip_grad_norm_ over both with max_norm 1.0
    (total L2 norm; coef = 1/(norm + 1e-6) clamped to <= 1):
    clip.g1_after, clip.g2_after, clip.total_norm [1].
"""
import math
import os

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

torch.manual_seed(0)
torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)

HERE = os.path.dirname(os.path.abspath(__file__))
out = {}


def close(a, b, tol=1e-5):
    assert torch.allclose(a, b, atol=tol, rtol=tol), (a - b).abs().max()


def grads(fn, *inputs, r=None):
    """Run fn on leaf copies of inputs; loss = (y*r).sum() (or y itself if r is None)."""
    leaves = [t.clone().requires_grad_(True) for t in inputs]
    y = fn(*leaves)
    loss = y if r is None else (y * r).sum()
    gs = torch.autograd.grad(loss, leaves)
    return y.detach(), [g.detach() for g in gs]


# ---------------------------------------------------------------- conv1d
def conv_torch(x, w, b, d, causal):
    k = w.shape[0]
    pad = ((k - 1) * d, 0) if causal else ((k - 1) // 2 * d,) * 2
    y = F.conv1d(F.pad(x.transpose(1, 2), pad), w.permute(2, 1, 0), b, dilation=d)
    return y.transpose(1, 2)


def conv_loop(x, w, b, d, causal):  # the spec formula, literally
    B, L, _ = x.shape
    k = w.shape[0]
    y = b.expand(B, L, -1).clone()
    for t in range(L):
        for j in range(k):
            s = t - (k - 1 - j) * d if causal else t + (j - (k - 1) // 2) * d
            if 0 <= s < L:
                y[:, t] += x[:, s] @ w[j]
    return y


for name, k, d, causal in [("conv_causal_d1", 3, 1, True), ("conv_causal_d2", 3, 2, True),
                           ("conv_causal_d4", 3, 4, True), ("conv_same_d2", 3, 2, False),
                           ("conv_causal_k2_d1", 2, 1, True)]:
    x, w, b = torch.randn(2, 9, 3), torch.randn(k, 3, 4), torch.randn(4)
    r = torch.randn(2, 9, 4)
    f = lambda x, w, b: conv_torch(x, w, b, d, causal)
    y, (dx, dw, db) = grads(f, x, w, b, r=r)
    _, ref = grads(lambda x, w, b: conv_loop(x, w, b, d, causal), x, w, b, r=r)
    close(y, conv_loop(x, w, b, d, causal))
    for g, gr in zip((dx, dw, db), ref):
        close(g, gr)
    out.update({f"{name}.{n}": t for n, t in
                dict(x=x, w=w, b=b, r=r, y=y, dx=dx, dw=dw, db=db).items()})

# ---------------------------------------------------------------- layer norm
for name, eps in [("ln_eps1e-5", 1e-5), ("ln_eps1e-8", 1e-8)]:
    x, g, be, r = torch.randn(2, 3, 5), torch.randn(5), torch.randn(5), torch.randn(2, 3, 5)
    y, (dx, dg, db) = grads(lambda x, g, be: F.layer_norm(x, (5,), g, be, eps), x, g, be, r=r)
    mu, var = x.mean(-1, keepdim=True), x.var(-1, unbiased=False, keepdim=True)
    close(y, (x - mu) / torch.sqrt(var + eps) * g + be)
    close(db, r.sum((0, 1)))
    out.update({f"{name}.{n}": t for n, t in
                dict(x=x, gamma=g, beta=be, r=r, y=y, dx=dx, dgamma=dg, dbeta=db).items()})

# ---------------------------------------------------------------- attention
B, L, H, NH = 2, 5, 8, 2
DH = H // NH
lengths = torch.tensor([5, 3], dtype=torch.int32)


def att_mask(causal):
    pad = torch.arange(L)[None, :] >= lengths[:, None].long()          # [B, Lk]
    bad = pad[:, None, None, :].expand(B, 1, L, L)                      # [B, 1, Lq, Lk]
    if causal:
        bad = bad | torch.ones(L, L, dtype=torch.bool).triu(1)
    return bad.float() * -10000.0


def attention(q, k, v, mask):
    split = lambda t: t.view(B, L, NH, DH).transpose(1, 2)             # [B, NH, L, DH]
    s = split(q) @ split(k).transpose(-1, -2) / math.sqrt(DH) + mask
    p = torch.softmax(s, -1)
    return (p @ split(v)).transpose(1, 2).reshape(B, L, H), p


for name, causal in [("att_causal", True), ("att_pad", False)]:
    q, k, v, r = (torch.randn(B, L, H) for _ in range(4))
    mask = att_mask(causal)
    o, (dq, dk, dv) = grads(lambda q, k, v: attention(q, k, v, mask)[0], q, k, v, r=r)
    probs = attention(q, k, v, mask)[1].detach()
    close(o, F.scaled_dot_product_attention(*(t.view(B, L, NH, DH).transpose(1, 2) for t in (q, k, v)),
                                            attn_mask=mask).transpose(1, 2).reshape(B, L, H))
    close(probs.sum(-1), torch.ones(B, NH, L))
    assert probs[1, :, :, 3:].max() < 1e-3                             # padded keys of row 1
    if causal:
        assert (probs * torch.ones(L, L).triu(1)).max() < 1e-3          # future keys
    assert dk[1, 3:].abs().max() < 1e-3 and dv[1, 3:].abs().max() < 1e-3
    out.update({f"{name}.{n}": t for n, t in
                dict(q=q, k=k, v=v, lengths=lengths.clone(), r=r, out=o, probs=probs,
                     dq=dq, dk=dk, dv=dv).items()})


# ---------------------------------------------------------------- cross entropy
def ce_ref(logits, t):  # manual mean NLL over rows with target != 0
    keep = t != 0
    return -torch.log_softmax(logits, -1)[keep, t[keep].long()].mean()


logits = torch.randn(6, 10) * 2
targets = torch.randint(1, 10, (6,), dtype=torch.int32)
targets[[1, 4]] = 0
loss, (dlogits,) = grads(lambda z: F.cross_entropy(z, targets.long(), ignore_index=0), logits)
close(loss, ce_ref(logits, targets))
assert dlogits[[1, 4]].abs().max() == 0
close(dlogits.sum(-1), torch.zeros(6))
out.update({"ce.logits": logits, "ce.targets": targets, "ce.loss": loss.reshape(1), "ce.dlogits": dlogits})

h, w, b = torch.randn(7, 5), torch.randn(5, 300) * 0.5, torch.randn(300) * 0.1
targets = torch.randint(1, 300, (7,), dtype=torch.int32)
targets[2] = 0
loss, (dh, dw, db) = grads(lambda h, w, b: F.cross_entropy(h @ w + b, targets.long(), ignore_index=0), h, w, b)
close(loss, ce_ref(h @ w + b, targets))
assert dh[2].abs().max() == 0
out.update({"fce.h": h, "fce.w": w, "fce.b": b, "fce.targets": targets, "fce.loss": loss.reshape(1),
            "fce.dh": dh, "fce.dw": dw, "fce.db": db})

h, table = torch.randn(7, 5), torch.randn(300, 5) * 0.5
targets = torch.randint(1, 300, (7,), dtype=torch.int32)
targets[2] = 0
loss, (dh, dtable) = grads(lambda h, tb: F.cross_entropy(h @ tb.T, targets.long(), ignore_index=0), h, table)
close(loss, ce_ref(h @ table.T, targets))
assert dh[2].abs().max() == 0
out.update({"fcet.h": h, "fcet.table": table, "fcet.targets": targets, "fcet.loss": loss.reshape(1),
            "fcet.dh": dh, "fcet.dtable": dtable})

# ---------------------------------------------------------------- softmax
x, r = torch.randn(3, 7) * 2, torch.randn(3, 7)
sm, (dsm,) = grads(lambda x: torch.softmax(x, -1), x, r=r)
lsm, (dlsm,) = grads(lambda x: torch.log_softmax(x, -1), x, r=r)
close(sm.sum(-1), torch.ones(3))
close(dsm, sm * (r - (r * sm).sum(-1, keepdim=True)))
close(dlsm, r - sm * r.sum(-1, keepdim=True))
out.update({"sm.x": x, "sm.r": r, "sm.softmax": sm, "sm.dsoftmax_x": dsm,
            "sm.logsoftmax": lsm, "sm.dlogsoftmax_x": dlsm})

# ---------------------------------------------------------------- activations
x, r = torch.linspace(-6, 6, 40), torch.randn(40)
assert x.abs().min() > 1e-3
out.update({"act.x": x, "act.r": r})
acts = {"relu": F.relu, "gelu": lambda t: F.gelu(t, approximate="none"), "sigmoid": torch.sigmoid,
        "tanh": torch.tanh, "softplus": F.softplus}
for n, f in acts.items():
    y, (dy,) = grads(f, x, r=r)
    out[f"act.{n}"], out[f"act.d{n}"] = y, dy
close(out["act.gelu"], 0.5 * x * (1 + torch.erf(x / math.sqrt(2))))
close(out["act.dgelu"], r * (0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * torch.exp(-x * x / 2) / math.sqrt(2 * math.pi)))
close(out["act.dsigmoid"], r * out["act.sigmoid"] * (1 - out["act.sigmoid"]))
close(out["act.softplus"], torch.log1p(torch.exp(x)))

# ---------------------------------------------------------------- optimizers
p0, gs = torch.randn(3, 4), torch.randn(5, 3, 4)


def run(make_opt):
    p = torch.nn.Parameter(p0.clone())
    opt, traj = make_opt([p]), []
    for g in gs:
        p.grad = g.clone()
        opt.step()
        traj.append(p.detach().clone())
    return torch.stack(traj)


def adam_ref(wd=0.0, decoupled=False, lr=1e-2, b1=0.9, b2=0.999, eps=1e-8):
    p, m, v, traj = p0.double(), 0, 0, []
    for t, g in enumerate(gs.double(), 1):
        if decoupled:
            p = p * (1 - lr * wd)
        else:
            g = g + wd * p
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1 ** t)) / ((v / (1 - b2 ** t)).sqrt() + eps)
        traj.append(p)
    return torch.stack(traj).float()


out["adam.p0"], out["adam.grads"] = p0, gs
out["adam.plain.params"] = run(lambda ps: torch.optim.Adam(ps, lr=1e-2, betas=(0.9, 0.999), eps=1e-8))
out["adam.l2.params"] = run(lambda ps: torch.optim.Adam(ps, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1))
out["adamw.params"] = run(lambda ps: torch.optim.AdamW(ps, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1))
out["sgd.params"] = run(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9))
close(out["adam.plain.params"], adam_ref())
close(out["adam.l2.params"], adam_ref(wd=0.1))
close(out["adamw.params"], adam_ref(wd=0.1, decoupled=True))
p, buf = p0.clone(), torch.zeros(3, 4)
for s, g in enumerate(gs):
    buf = 0.9 * buf + g
    p = p - 0.1 * buf
    close(out["sgd.params"][s], p)

# ---------------------------------------------------------------- grad clipping
g1, g2 = torch.randn(3, 4), torch.randn(6)
p1, p2 = torch.nn.Parameter(torch.zeros(3, 4)), torch.nn.Parameter(torch.zeros(6))
p1.grad, p2.grad = g1.clone(), g2.clone()
total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm=1.0)
norm = torch.cat([g1.flatten(), g2]).norm()
close(total, norm)
assert norm > 1.0
close(torch.cat([p1.grad.flatten(), p2.grad]).norm(), torch.tensor(1.0))
out.update({"clip.g1": g1, "clip.g2": g2, "clip.g1_after": p1.grad.clone(),
            "clip.g2_after": p2.grad.clone(), "clip.total_norm": total.reshape(1)})

# ---------------------------------------------------------------- write ops.safetensors
for n, t in out.items():
    assert t.dtype == (torch.int32 if n.endswith((".lengths", ".targets")) else torch.float32), n
    out[n] = t.contiguous()
ops_path = os.path.join(HERE, "ops.safetensors")
save_file(out, ops_path, metadata={"torch_version": torch.__version__, "script": "make_golden.py"})
back = load_file(ops_path)
assert back.keys() == out.keys() and all(torch.equal(back[n], out[n]) for n in out)
print(f"wrote {ops_path}: {len(out)} tensors, {os.path.getsize(ops_path)} bytes")

# ---------------------------------------------------------------- torch-written.safetensors
fixture = {
    "f32": torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1,
    "i64": torch.tensor([0, 5, -3, 2**40], dtype=torch.int64),
    "i32": torch.tensor([[1, 2], [3, 4]], dtype=torch.int32),
    "f16": torch.tensor([0.5, -2.0, 65504.0], dtype=torch.float16),
    "f64": torch.tensor([[1.25], [-3.5]], dtype=torch.float64),
    "bf16": torch.tensor([1.0, -0.15625, 3.0], dtype=torch.bfloat16),
    "scalar": torch.tensor(2.5),
    "empty": torch.zeros(0, 3),
}
fx_path = os.path.join(HERE, "torch-written.safetensors")
save_file(fixture, fx_path, metadata={"writer": "torch"})
back = load_file(fx_path)
assert all(back[n].dtype == t.dtype and torch.equal(back[n], t) for n, t in fixture.items())
print(f"wrote {fx_path}: {os.path.getsize(fx_path)} bytes")
for n, t in fixture.items():
    print(f"  {n:6s} {str(t.dtype):15s} shape={list(t.shape)} values={t.tolist()}")
