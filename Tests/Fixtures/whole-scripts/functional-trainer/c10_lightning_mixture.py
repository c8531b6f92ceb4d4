"""
gpt_lightning_style.py -- LightningModule-shaped GPT (hooks: on_train_start, on_train_batch_start,
training_step, configure_optimizers) driven by a small DDP loop.  Plain PyTorch only.

Batches are (8, 4096) per GPU with dense causal SDPA; hidden matrices are trained with a
sharded orthogonal-momentum optimizer, everything else with Adam.
"""
import os
import glob
import time
import contextlib
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP


@dataclass
class Cfg:
    vocab: int = 50257
    d: int = 768
    n_layers: int = 12
    n_heads: int = 12
    rows: int = 8
    ctx: int = 4096
    steps: int = 3000
    cooldown: int = 900
    lr_embed: float = 0.6
    lr_out: float = 0.008
    lr_scalar: float = 0.04
    lr_matrix: float = 0.05
    guard_free_after: int = 5


# ------------------------------------------------------------------------------- optimizer
def polar(G):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.mT
    X = X / (X.norm() + 1e-7)
    for _ in range(5):
        A = X @ X.mT
        X = a * X + torch.add(b * A, A @ A, alpha=c) @ X
    return X.mT if tall else X


class ShardedPolarSGD(torch.optim.Optimizer):
    """Rank r orthogonalizes params r, r+W, r+2W, ...; results are exchanged every round."""

    def __init__(self, params, lr, momentum=0.95):
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        params = list(params)
        groups = [dict(params=[p for p in params if p.numel() == n],
                       slots=[torch.empty(n, dtype=torch.bfloat16, device="cuda") for _ in range(self.world)])
                  for n in sorted({p.numel() for p in params})]
        super().__init__(groups, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            ps, slots, mu = g["params"], g["slots"], g["momentum"]
            for base in range(0, len(ps), self.world):
                i = base + self.rank
                if i < len(ps):
                    p = ps[i]
                    m = self.state[p].setdefault("m", torch.zeros_like(p))
                    m.lerp_(p.grad, 1 - mu)
                    u = polar(p.grad.lerp_(m, mu)).flatten()
                else:
                    u = slots[self.rank]
                dist.all_gather(slots, u)                  # blocking exchange for this round
                for q, s in zip(ps[base:base + self.world], slots):
                    q.add_(s.view_as(q), alpha=-g["lr"] * max(1.0, q.size(0) / q.size(1)) ** 0.5)


# ------------------------------------------------------------------------------- model
class RoPE(nn.Module):
    def __init__(self, hd, max_len):
        super().__init__()
        f = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
        a = torch.outer(torch.arange(max_len).float(), f)
        self.register_buffer("cs", torch.stack([a.cos(), a.sin()]), persistent=False)

    def forward(self, t):
        c, s = self.cs[0, :t.size(1)][None, :, None], self.cs[1, :t.size(1)][None, :, None]
        x, y = t.float().chunk(2, -1)
        return torch.cat([x * c + y * s, y * c - x * s], -1).type_as(t)


class Attn(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.h = cfg.n_heads
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(cfg.d, cfg.d, bias=False) for _ in range(4))
        self.vw = nn.Parameter(torch.tensor([0.5, 0.5]))   # weights for (own value, token value-embedding)
        self.rope = RoPE(cfg.d // cfg.n_heads, cfg.ctx)

    def forward(self, x, vemb):
        B, T, D = x.shape
        q, k, v = (w(x).view(B, T, self.h, -1) for w in (self.wq, self.wk, self.wv))
        v = self.vw[0] * v + self.vw[1] * vemb.view_as(v)
        q, k = self.rope(F.rms_norm(q, (q.size(-1),))), self.rope(F.rms_norm(k, (k.size(-1),)))
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, D))


class SwiGLU(nn.Module):
    def __init__(self, d):
        super().__init__()
        hidden = 8 * d // 3
        self.gate, self.up, self.down = nn.Linear(d, hidden, bias=False), nn.Linear(d, hidden, bias=False), nn.Linear(hidden, d, bias=False)

    def forward(self, x):
        return self.down(F.silu(self.gate(x)) * self.up(x))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attn, self.ffn = Attn(cfg), SwiGLU(cfg.d)

    def forward(self, x, vemb):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)), vemb)
        return x + self.ffn(F.rms_norm(x, (x.size(-1),)))


class GPTLightning(nn.Module):
    def __init__(self, cfg: Cfg):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab, cfg.d)
        self.vtok = nn.Embedding(cfg.vocab, cfg.d * cfg.n_layers)     # one value-embedding slice per layer
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.proj_out = nn.Linear(cfg.d, cfg.vocab, bias=False)
        nn.init.zeros_(self.proj_out.weight)
        self._stance = contextlib.ExitStack()

    def forward(self, idx, tgt):
        x = self.tok(idx)
        vs = self.vtok(idx).chunk(self.cfg.n_layers, dim=-1)
        for blk, vemb in zip(self.blocks, vs):
            x = blk(x, vemb)
        logits = self.proj_out(F.rms_norm(x, (x.size(-1),))).float()
        logits = 30 * torch.sigmoid(logits / 15)          # bounded logits in (0, 30)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))

    # ----- hooks ------------------------------------------------------------------------
    def configure_optimizers(self):
        c = self.cfg
        mats = [p for p in self.blocks.parameters() if p.ndim == 2]
        scal = [p for p in self.blocks.parameters() if p.ndim < 2]
        adam = torch.optim.Adam([{"params": [self.tok.weight, self.vtok.weight], "lr": c.lr_embed},
                                 {"params": [self.proj_out.weight], "lr": c.lr_out},
                                 {"params": scal, "lr": c.lr_scalar}], betas=(0.8, 0.95), fused=True)
        polar_opt = ShardedPolarSGD(mats, lr=c.lr_matrix)
        sched = lambda s: min(1.0, (c.steps - s) / c.cooldown)
        return [adam, polar_opt], [torch.optim.lr_scheduler.LambdaLR(o, sched) for o in (adam, polar_opt)]

    def on_train_start(self):
        self._stance.close()

    def on_train_batch_start(self, step, optimizers):
        if step == self.cfg.guard_free_after:                      # graphs are warm: stop checking guards
            self._stance.enter_context(torch.compiler.set_stance(skip_guard_eval_unsafe=True))
        frac = min(step / 300, 1.0)
        for g in optimizers[1].param_groups:
            g["momentum"] = (1 - frac) * 0.85 + frac * 0.95

    def training_step(self, batch, batch_idx, engine):
        return engine(*batch)


# ------------------------------------------------------------------------------- data
def windows(pattern, rows, ctx, rank, world, device):
    n = rows * ctx
    for path in sorted(glob.glob(pattern)):
        toks = np.memmap(path, dtype=np.uint16, mode="r", offset=1024)
        for pos in range(rank * n, len(toks) - n - 1, world * n):
            t = torch.from_numpy(toks[pos:pos + n + 1].astype(np.int64)).to(device)
            yield t[:-1].view(rows, ctx), t[1:].view(rows, ctx)


# ------------------------------------------------------------------------------- loop
def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    torch.cuda.set_device(device)
    cfg = Cfg()
    module = GPTLightning(cfg).to(device)
    opts, scheds = module.configure_optimizers()
    engine = DDP(torch.compile(module), device_ids=[device.index], broadcast_buffers=False, gradient_as_bucket_view=True)
    train = windows(os.environ["NANOGPT_TRAIN_FILES"], cfg.rows, cfg.ctx, rank, world, device)
    module.on_train_start()
    t0 = time.perf_counter()
    for step in range(cfg.steps):
        module.on_train_batch_start(step, opts)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = module.training_step(next(train), step, engine)
        loss.backward()
        for o, s in zip(opts, scheds):
            o.step()
            s.step()
        engine.zero_grad(set_to_none=True)
        if rank == 0:
            print(f"step {step} loss {loss.item():.4f} ({time.perf_counter() - t0:.0f}s)")
        if (step + 1) % 250 == 0 or step + 1 == cfg.steps:
            val = windows(os.environ["NANOGPT_VAL_FILES"], cfg.rows, cfg.ctx, rank, world, device)
            engine.eval()
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                vl = torch.stack([engine(*next(val)) for _ in range(40)]).mean()
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            engine.train()
            if rank == 0:
                print(f"[val] step {step + 1} loss {vl.item():.4f}")
    module._stance.close()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
