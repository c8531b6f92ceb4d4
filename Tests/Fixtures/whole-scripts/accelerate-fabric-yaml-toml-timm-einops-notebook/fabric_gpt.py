"""
GPT pretraining with Lightning Fabric.

    python fabric_gpt.py                       # 8 GPUs, DDP, bf16-mixed
    python fabric_gpt.py --devices 1 --steps 50  # smoke test

Value embeddings are shared between mirrored encoder/decoder halves of the
stack; untied output head; Adam for embeddings/head/scalars, orthogonalized
momentum for block matrices.
"""
import argparse
import glob
import math
import os
import time
from dataclasses import dataclass, field, asdict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from lightning.fabric.strategies import DDPStrategy


@dataclass
class ModelArgs:
    vocab_size: int = 50257
    block_size: int = 1024
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    activation: str = "gelu"
    init_std: float = 0.02


@dataclass
class TrainArgs:
    train_glob: str = "data/fineweb10B/fineweb_train_*.bin"
    val_glob: str = "data/fineweb10B/fineweb_val_*.bin"
    micro_batch: int = 32
    grad_accum: int = 1
    steps: int = 3200
    warmup_steps: int = 100
    embed_lr: float = 0.6
    head_lr: float = 0.008
    scalar_lr: float = 0.04
    matrix_lr: float = 0.04
    adam_betas: tuple = (0.9, 0.95)
    muon_momentum_start: float = 0.85
    muon_momentum_end: float = 0.95
    muon_momentum_warmup: int = 500
    val_every: int = 125
    val_tokens: int = 10_485_760
    out_dir: str = "out/fabric_gpt"
    seed: int = 0


# -----------------------------------------------------------------------------
# model

def _activation(name):
    if name == "relu2":
        return lambda t: F.relu(t).square()
    if name == "gelu":
        return lambda t: F.gelu(t, approximate="tanh")
    if name == "silu":
        return F.silu
    raise ValueError(name)


class SelfAttention(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.n_head = args.n_head
        self.n_embd = args.n_embd
        self.hd = args.n_embd // args.n_head
        self.q_proj = nn.Linear(args.n_embd, args.n_embd, bias=False)
        self.k_proj = nn.Linear(args.n_embd, args.n_embd, bias=False)
        self.v_proj = nn.Linear(args.n_embd, args.n_embd, bias=False)
        self.o_proj = nn.Linear(args.n_embd, args.n_embd, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, ve):
        B, T, C = x.shape
        q = self.q_proj(x).view(B, T, self.n_head, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.n_head, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.n_head, self.hd)
        v = self.lambdas[0] * v + self.lambdas[1] * ve.view_as(v)
        v = v.transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.o_proj(y)


class FeedForward(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.up = nn.Linear(args.n_embd, 4 * args.n_embd, bias=False)
        self.down = nn.Linear(4 * args.n_embd, args.n_embd, bias=False)
        self.act = _activation(args.activation)

    def forward(self, x):
        return self.down(self.act(self.up(x)))


class Block(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.ln_1 = nn.LayerNorm(args.n_embd, bias=False)
        self.attn = SelfAttention(args)
        self.ln_2 = nn.LayerNorm(args.n_embd, bias=False)
        self.mlp = FeedForward(args)
        self.attn_scale = 1.0 / math.sqrt(2 * args.n_layer)

    def forward(self, x, ve):
        x = x + self.attn_scale * self.attn(self.ln_1(x), ve)
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.n_enc = args.n_layer // 2
        self.n_dec = args.n_layer - self.n_enc
        self.wte = nn.Embedding(args.vocab_size, args.n_embd)
        self.wpe = nn.Embedding(args.block_size, args.n_embd)
        # one wide table -> one slice per encoder layer, reused mirrored by the decoder
        self.vte = nn.Embedding(args.vocab_size, args.n_embd * self.n_enc)
        self.blocks = nn.ModuleList([Block(args) for _ in range(args.n_layer)])
        self.ln_f = nn.LayerNorm(args.n_embd, bias=False)
        self.lm_head = nn.Linear(args.n_embd, args.vocab_size, bias=False)
        self.apply(self._init)
        nn.init.zeros_(self.lm_head.weight)

    def _init(self, m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=self.args.init_std)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=self.args.init_std)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        pos = torch.arange(T, device=idx.device)
        x = self.wte(idx) + self.wpe(pos)[None]
        vi = self.vte(idx).chunk(self.n_enc, dim=-1)
        for i in range(self.n_enc):
            x = self.blocks[i](x, vi[i])
        for j in range(self.n_dec):
            x = self.blocks[self.n_enc + j](x, vi[self.n_enc - 1 - j])
        x = self.ln_f(x)
        logits = self.lm_head(x)
        logits = logits.float()
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# -----------------------------------------------------------------------------
# optimizer for 2D block weights

def orthogonalize(M, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = M.bfloat16()
    X = X / (X.norm() + 1e-7)
    flip = X.size(0) > X.size(1)
    if flip:
        X = X.T
    for _ in range(iters):
        A = X @ X.T
        AX = A @ X
        X = a * X + b * AX + c * (A @ AX)
    if flip:
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                st = self.state[p]
                if "buf" not in st:
                    st["buf"] = torch.zeros_like(g)
                buf = st["buf"]
                buf.mul_(group["momentum"]).add_(g)
                g = g.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                g = orthogonalize(g, group["ns_steps"])
                # stretch updates of wide matrices
                g = g * max(1.0, g.size(1) / g.size(0)) ** 0.5
                p.add_(g.to(p.dtype), alpha=-group["lr"])


# -----------------------------------------------------------------------------
# data

def read_tokens(path):
    header = np.fromfile(path, dtype=np.int32, count=256)
    assert header[0] == 20240520 and header[1] == 1
    return np.memmap(path, dtype=np.uint16, mode="r", offset=1024, shape=(int(header[2]),))


class TokenLoader:
    def __init__(self, pattern, B, T, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.B, self.T, self.rank, self.world = B, T, rank, world
        self.reset()

    def reset(self):
        self.fi = 0
        self.toks = read_tokens(self.files[0])
        self.pos = self.rank * self.B * self.T

    def next(self):
        n = self.B * self.T
        chunk = torch.from_numpy(self.toks[self.pos : self.pos + n + 1].astype(np.int64))
        self.pos += n * self.world
        if self.pos + n * self.world + 1 > len(self.toks):
            self.fi = (self.fi + 1) % len(self.files)
            self.toks = read_tokens(self.files[self.fi])
            self.pos = self.rank * n
        return chunk[:-1].view(self.B, self.T), chunk[1:].view(self.B, self.T)


# -----------------------------------------------------------------------------
# schedule

def lr_factor(step, total, warmup):
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total - step) / (total - warmup))


def muon_momentum(step, targs: TrainArgs):
    frac = min(step / targs.muon_momentum_warmup, 1.0)
    return (1 - frac) * targs.muon_momentum_start + frac * targs.muon_momentum_end


# -----------------------------------------------------------------------------

def build_optimizers(model: GPT, targs: TrainArgs):
    matrix_params = [p for p in model.blocks.parameters() if p.ndim == 2]
    scalar_params = [p for p in model.blocks.parameters() if p.ndim < 2]
    embed_params = [model.wte.weight, model.wpe.weight, model.vte.weight]
    norm_params = [p for p in model.ln_f.parameters()]
    adam = torch.optim.Adam(
        [
            dict(params=embed_params, lr=targs.embed_lr),
            dict(params=[model.lm_head.weight], lr=targs.head_lr),
            dict(params=scalar_params + norm_params, lr=targs.scalar_lr),
        ],
        betas=targs.adam_betas,
        eps=1e-8,
        weight_decay=0.0,
    )
    muon = Muon(matrix_params, lr=targs.matrix_lr, momentum=targs.muon_momentum_end)
    for opt in (adam, muon):
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
    return adam, muon


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=8)
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--activation", type=str, default=None)
    p.add_argument("--compile", type=int, default=1)
    return p.parse_args()


def main():
    cli = parse()
    margs, targs = ModelArgs(), TrainArgs()
    if cli.steps is not None:
        targs.steps = cli.steps
    if cli.activation is not None:
        margs.activation = cli.activation

    fabric = L.Fabric(
        accelerator="cuda",
        devices=cli.devices,
        strategy=DDPStrategy(find_unused_parameters=False),
        precision="bf16-mixed",
    )
    fabric.launch()
    fabric.seed_everything(targs.seed + fabric.global_rank)
    if fabric.global_rank == 0:
        os.makedirs(targs.out_dir, exist_ok=True)
        fabric.print({"model": asdict(margs), "train": asdict(targs)})

    with fabric.init_module():
        model = GPT(margs)
    adam, muon = build_optimizers(model, targs)
    if cli.compile:
        model = torch.compile(model)
    model, adam, muon = fabric.setup(model, adam, muon)

    train_loader = TokenLoader(targs.train_glob, targs.micro_batch, margs.block_size,
                               fabric.global_rank, fabric.world_size)
    val_loader = TokenLoader(targs.val_glob, targs.micro_batch, margs.block_size,
                             fabric.global_rank, fabric.world_size)
    val_iters = targs.val_tokens // (targs.micro_batch * margs.block_size * fabric.world_size)

    @torch.no_grad()
    def validate():
        model.eval()
        val_loader.reset()
        acc = torch.zeros((), device=fabric.device)
        for _ in range(val_iters):
            x, y = val_loader.next()
            x, y = fabric.to_device((x, y))
            acc += model(x, y)
        acc = fabric.all_reduce(acc / val_iters, reduce_op="mean")
        model.train()
        return acc.item()

    t_start = time.perf_counter()
    for step in range(targs.steps + 1):
        if step % targs.val_every == 0 or step == targs.steps:
            vl = validate()
            fabric.print(f"step {step:5d} | val {vl:.4f} | {time.perf_counter() - t_start:.0f}s")
        if step == targs.steps:
            break

        for micro in range(targs.grad_accum):
            x, y = train_loader.next()
            x, y = fabric.to_device((x, y))
            is_accum = micro < targs.grad_accum - 1
            with fabric.no_backward_sync(model, enabled=is_accum):
                loss = model(x, y)
                fabric.backward(loss / targs.grad_accum)

        f = lr_factor(step, targs.steps, targs.warmup_steps)
        for opt in (adam, muon):
            for g in opt.param_groups:
                g["lr"] = g["initial_lr"] * f
        for g in muon.param_groups:
            g["momentum"] = muon_momentum(step, targs)
        adam.step()
        muon.step()
        adam.zero_grad(set_to_none=True)
        muon.zero_grad(set_to_none=True)

        if step % 20 == 0:
            fabric.print(f"step {step:5d} | loss {loss.item():.4f} | lr x{f:.3f}")

    state = {"model": model, "adam": adam, "muon": muon, "step": targs.steps}
    fabric.save(os.path.join(targs.out_dir, "final.ckpt"), state)


if __name__ == "__main__":
    main()
