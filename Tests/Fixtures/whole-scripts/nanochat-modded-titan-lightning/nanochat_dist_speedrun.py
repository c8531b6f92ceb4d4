"""
scripts/dist_speedrun.py -- nanochat-flavoured pretraining with a round-robin
distributed Muon. One file so it can be scp'd to a fresh node and launched:

    torchrun --nproc_per_node=8 nanochat_dist_speedrun.py
"""
import os
import math
import time
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist


@dataclass
class GPTConfig:
    sequence_len: int = 1024
    vocab_size: int = 50257
    n_layer: int = 16
    n_head: int = 16
    n_embd: int = 1024


@dataclass
class TrainConfig:
    device_batch_size: int = 16
    num_iterations: int = 6000
    lr_warmup_steps: int = 300        # linear lr ramp; muon momentum stays fixed below
    warmdown_frac: float = 0.25
    embedding_lr: float = 0.006
    matrix_lr: float = 0.02
    muon_momentum: float = 0.95
    val_every: int = 500
    data_dir: str = "base_data"


def _norm(t):
    return F.rms_norm(t, (t.shape[-1],))


class RotaryCache(nn.Module):
    def __init__(self, head_dim, max_len, theta=10000.0):
        super().__init__()
        inv = theta ** -(torch.arange(0, head_dim, 2).float() / head_dim)
        angles = torch.arange(max_len).float()[:, None] * inv[None, :]
        self.register_buffer("cos", angles.cos()[None, :, None, :], persistent=False)
        self.register_buffer("sin", angles.sin()[None, :, None, :], persistent=False)

    def forward(self, x):
        T = x.shape[1]
        c, s = self.cos[:, :T].to(x.dtype), self.sin[:, :T].to(x.dtype)
        lo, hi = x.chunk(2, dim=-1)
        return torch.cat([lo * c + hi * s, hi * c - lo * s], dim=-1)


class CausalAttn(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.nh, self.hd = cfg.n_head, cfg.n_embd // cfg.n_head
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=False)
        self.out = nn.Linear(cfg.n_embd, cfg.n_embd, bias=False)
        nn.init.zeros_(self.out.weight)
        self.rope = RotaryCache(self.hd, cfg.sequence_len)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.nh, self.hd).unbind(2)
        q, k = _norm(q), _norm(k)
        q, k = self.rope(q), self.rope(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.up = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=False)
        self.down = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=False)
        nn.init.zeros_(self.down.weight)

    def forward(self, x):
        return self.down(F.relu(self.up(x)).square())


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attn, self.mlp = CausalAttn(cfg), MLP(cfg)

    def forward(self, x):
        x = x + self.attn(_norm(x))
        return x + self.mlp(_norm(x))


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        nn.init.normal_(self.wte.weight, std=0.02)
        self.lm_head.weight = self.wte.weight  # tied

    def forward(self, idx, targets):
        x = self.wte(idx)
        for blk in self.blocks:
            x = blk(x)
        logits = self.lm_head(_norm(x))
        return F.cross_entropy(logits.flatten(0, 1), targets.flatten())


@torch.compile
def newton_schulz(G, steps: int = 5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.to(torch.bfloat16)
    flip = G.size(0) > G.size(1)
    if flip:
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        gram = X @ X.T
        poly = b * gram + c * (gram @ gram)
        X = a * X + poly @ X
    return X.T if flip else X


class RoundRobinMuon(torch.optim.Optimizer):
    """Every rank owns params[rank::world]; owners orthogonalize, then one
    all-reduce over a flat bf16 buffer hands every update to every rank."""

    def __init__(self, params, lr=0.02, momentum=0.95, rank=0, world=1):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.rank, self.world = rank, world

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group["params"]
            numel = sum(p.numel() for p in params)
            flat = torch.zeros(numel, dtype=torch.bfloat16, device=params[0].device)
            offset = 0
            for idx, p in enumerate(params):
                n = p.numel()
                if idx % self.world == self.rank and p.grad is not None:
                    buf = self.state[p].setdefault("mom", torch.zeros_like(p.grad))
                    buf.mul_(group["momentum"]).add_(p.grad)
                    g = p.grad.add(buf, alpha=group["momentum"])
                    u = newton_schulz(g)
                    u = u * (0.2 * max(p.size(0), p.size(1)) ** 0.5)  # match AdamW update rms
                    flat[offset:offset + n] = u.flatten()
                offset += n
            if self.world > 1:
                dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            offset = 0
            for p in params:
                n = p.numel()
                p.add_(flat[offset:offset + n].view_as(p).type_as(p), alpha=-group["lr"])
                offset += n


def shard_batches(cfg, tcfg, split, rank, world):
    import numpy as np
    import glob
    files = sorted(glob.glob(os.path.join(tcfg.data_dir, f"{split}_*.bin")))
    B, T = tcfg.device_batch_size, cfg.sequence_len
    while True:
        for f in files:
            toks = np.memmap(f, dtype=np.uint16, mode="r", offset=1024)
            step = B * T * world
            for pos in range(rank * B * T, len(toks) - step - 1, step):
                chunk = torch.from_numpy(toks[pos:pos + B * T + 1].astype(np.int64))
                yield chunk[:-1].view(B, T).cuda(), chunk[1:].view(B, T).cuda()


def lr_factor(step, tcfg):
    if step < tcfg.lr_warmup_steps:
        return step / tcfg.lr_warmup_steps
    cool_start = int(tcfg.num_iterations * (1 - tcfg.warmdown_frac))
    if step < cool_start:
        return 1.0
    return max(0.0, (tcfg.num_iterations - step) / (tcfg.num_iterations - cool_start))


def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    cfg, tcfg = GPTConfig(), TrainConfig()
    model = GPT(cfg).cuda()
    for p in model.parameters():
        dist.broadcast(p.data, 0)

    matrices = [p for n, p in model.blocks.named_parameters() if p.ndim == 2]
    adam = torch.optim.AdamW([model.wte.weight], lr=tcfg.embedding_lr, betas=(0.8, 0.95),
                             eps=1e-10, weight_decay=0.0)
    muon = RoundRobinMuon(matrices, lr=tcfg.matrix_lr, momentum=tcfg.muon_momentum, rank=rank, world=world)
    opts = (adam, muon)
    base_lrs = [[g["lr"] for g in o.param_groups] for o in opts]
    cmodel = torch.compile(model)

    train = shard_batches(cfg, tcfg, "train", rank, world)
    t_start = time.perf_counter()
    for step in range(tcfg.num_iterations):
        x, y = next(train)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = cmodel(x, y)
        loss.backward()
        for p in model.parameters():
            if p.grad is not None:
                dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
        f = lr_factor(step, tcfg)
        for o, lrs in zip(opts, base_lrs):
            for g, lr0 in zip(o.param_groups, lrs):
                g["lr"] = lr0 * f
        for o in opts:
            o.step()
        model.zero_grad(set_to_none=True)

        if rank == 0 and step % 50 == 0:
            el = time.perf_counter() - t_start
            print(f"[{step:5d}/{tcfg.num_iterations}] loss={loss.item():.4f} lrf={f:.3f} t={el:.0f}s")
        if (step + 1) % tcfg.val_every == 0:
            model.eval()
            vals = shard_batches(cfg, tcfg, "val", rank, world)
            acc = torch.zeros((), device="cuda")
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                for _ in range(16):
                    vx, vy = next(vals)
                    acc += cmodel(vx, vy)
            dist.all_reduce(acc, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"val loss {acc.item() / 16:.4f}")
            model.train()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
