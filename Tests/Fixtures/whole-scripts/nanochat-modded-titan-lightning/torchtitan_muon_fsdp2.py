# torchtitan-derived experiment: Muon on FSDP2-sharded DTensor parameters.
# Tied GPT-2 embedding/head stays on AdamW; transformer matrices use Muon.
#
#   torchrun --nproc_per_node=8 torchtitan_muon_fsdp2.py
import os

os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")

import math
import time
import tomllib
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard, MixedPrecisionPolicy
from torch.distributed.tensor import DTensor, distribute_tensor
from torch.optim.lr_scheduler import LambdaLR

CONFIG = tomllib.loads("""
[model]
dim = 768
n_layers = 12
n_heads = 12
vocab_size = 50257
seq_len = 1024

[optimizer]
adamw_lr = 0.0036
muon_lr_ratio = 0.1
muon_momentum = 0.95
ns_steps = 5

[lr_scheduler]
warmup_steps = 0
decay_ratio = 0.3
lr_min = 0.1

[training]
steps = 5100
local_batch_size = 32
grad_clip_per_param = 1.0
data = "./fineweb10B"
log_freq = 25
""")


class RotaryEmbedding(nn.Module):
    def __init__(self, head_dim, base=10000):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (base ** (torch.arange(0, head_dim, 2).float() / head_dim)), persistent=False)

    def forward(self, x):
        pos = torch.arange(x.shape[1], device=x.device).float()
        ang = pos[:, None] * self.inv_freq[None, :]
        cos, sin = ang.cos()[None, :, None], ang.sin()[None, :, None]
        h = x.shape[-1] // 2
        x1, x2 = x[..., :h].float(), x[..., h:].float()
        return torch.cat((x1 * cos + x2 * sin, x2 * cos - x1 * sin), dim=-1).type_as(x)


class Attention(nn.Module):
    def __init__(self, dim, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.wqkv = nn.Linear(dim, 3 * dim, bias=False)  # (3d, d) fused projection
        self.wo = nn.Linear(dim, dim, bias=False)
        self.rotary = RotaryEmbedding(dim // n_heads)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.wqkv(x).split(d, dim=-1)
        q, k, v = (z.view(b, t, self.n_heads, -1) for z in (q, k, v))
        q, k = self.rotary(q), self.rotary(k)
        o = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.wo(o.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, dim, n_heads):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = Attention(dim, n_heads)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim, bias=False), nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * dim, dim, bias=False))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c["vocab_size"], c["dim"])
        self.layers = nn.ModuleList(Block(c["dim"], c["n_heads"]) for _ in range(c["n_layers"]))
        self.ln_f = nn.LayerNorm(c["dim"])
        self.lm_head = nn.Linear(c["dim"], c["vocab_size"], bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, idx):
        x = self.wte(idx)
        for blk in self.layers:
            x = blk(x)
        return self.lm_head(self.ln_f(x))


def _zeropower(G, steps):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    if G.size(0) > G.size(1):
        X = X.T
    return X


class DTensorMuon(torch.optim.Optimizer):
    """Muon over FSDP2 params: gather full grad, orthogonalise, re-shard the update."""

    def __init__(self, params, lr, momentum=0.95, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.full_tensor() if isinstance(p.grad, DTensor) else p.grad
                buf = self.state[p].get("momentum_buffer")
                if buf is None:
                    buf = self.state[p]["momentum_buffer"] = torch.zeros_like(g)
                buf.mul_(group["momentum"]).add_(g)
                g = g.add(buf, alpha=group["momentum"])
                rows, cols = g.shape
                if rows == 3 * cols:
                    # fused wqkv: orthogonalise q, k, v blocks one at a time
                    u = torch.cat([_zeropower(blk, group["ns_steps"]) for blk in g.split(cols, dim=0)])
                else:
                    u = _zeropower(g, group["ns_steps"])
                u = u.float() * max(rows, cols) ** 0.5  # unit-rms update for any shape
                if isinstance(p, DTensor):
                    u = distribute_tensor(u, p.device_mesh, p.placements)
                p.add_(u, alpha=-group["lr"])


def build_optimizers(model, cfg):
    o = cfg["optimizer"]
    adamw = torch.optim.AdamW([model.wte.weight], lr=o["adamw_lr"], betas=(0.9, 0.95), weight_decay=0.0)
    mats = [p for p in model.layers.parameters() if p.ndim == 2]
    rest = [p for p in model.layers.parameters() if p.ndim != 2] + list(model.ln_f.parameters())
    adamw.add_param_group(dict(params=rest, lr=o["adamw_lr"]))
    muon = DTensorMuon(mats, lr=o["muon_lr_ratio"] * o["adamw_lr"], momentum=o["muon_momentum"], ns_steps=o["ns_steps"])
    return [adamw, muon]


def build_lr_schedulers(optimizers, cfg):
    s, steps = cfg["lr_scheduler"], cfg["training"]["steps"]
    decay_steps = int(s["decay_ratio"] * steps)
    stable_end = steps - decay_steps

    def factor(step, warmup, stable_end, decay_steps, lr_min):
        if step < warmup:
            return (step + 1) / (warmup + 1)
        if step < stable_end:
            return 1.0
        frac = (step - stable_end) / decay_steps
        return 1.0 - (1.0 - lr_min) * min(frac, 1.0)

    fn = partial(factor, warmup=s["warmup_steps"], stable_end=stable_end, decay_steps=decay_steps, lr_min=s["lr_min"])
    return [LambdaLR(o, fn) for o in optimizers]


def clip_each_param(params, max_norm):
    # bound every tensor's own gradient norm (no global coupling between tensors)
    for p in params:
        if p.grad is not None:
            torch.nn.utils.clip_grad_norm_([p], max_norm)


def batches(root, bs, T, rank, world):
    import numpy as np
    import glob
    for fn in sorted(glob.glob(os.path.join(root, "*train*.bin"))):
        toks = np.fromfile(fn, dtype=np.uint16)[512:]
        n = bs * T
        for i in range(rank * n, len(toks) - world * n - 1, world * n):
            t = torch.as_tensor(toks[i:i + n + 1].astype(np.int64))
            yield t[:-1].view(bs, T).cuda(non_blocking=True), t[1:].view(bs, T).cuda(non_blocking=True)


def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    mesh = init_device_mesh("cuda", (world,))
    mc = CONFIG["model"]
    torch.manual_seed(0)
    model = GPT(mc).cuda()
    mp = MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32)
    for blk in model.layers:
        fully_shard(blk, mesh=mesh, mp_policy=mp)
    fully_shard(model, mesh=mesh, mp_policy=mp)

    optimizers = build_optimizers(model, CONFIG)
    schedulers = build_lr_schedulers(optimizers, CONFIG)
    tc = CONFIG["training"]
    it = batches(tc["data"], tc["local_batch_size"], mc["seq_len"], rank, world)
    t0 = time.time()
    for step in range(tc["steps"]):
        x, y = next(it)
        logits = model(x)
        loss = F.cross_entropy(logits.float().view(-1, logits.size(-1)), y.view(-1))
        loss.backward()
        clip_each_param(model.parameters(), tc["grad_clip_per_param"])
        for o in optimizers:
            o.step()
            o.zero_grad(set_to_none=True)
        for s in schedulers:
            s.step()
        if rank == 0 and step % tc["log_freq"] == 0:
            print(f"step {step:5d} loss {loss.item():.4f} lr {schedulers[0].get_last_lr()[0]:.5f} "
                  f"elapsed {time.time() - t0:.0f}s")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
