"""
lit_gpt_ortho.py -- LightningModule-flavoured GPT trainer written against plain PyTorch.

The module exposes the usual hooks (training_step / validation_step / configure_optimizers)
and a ~60 line `Loop` plays the role of the Lightning Trainer, so the file has no dependency
beyond torch + numpy.
"""
import os
import glob
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.nn.attention import SDPBackend, sdpa_kernel

torch.backends.cudnn.benchmark = True  # let cudnn autotune its kernels


# ------------------------------------------------------------------------------------------
# orthogonalized SGD for hidden matrices

def orthogonalize(M, steps=5, eps=1e-7):
    """Approximate U V^T of M with a quintic Newton-Schulz map (runs in bf16)."""
    c1, c3, c5 = 3.4445, -4.7750, 2.0315
    X = M.bfloat16()
    X = X / (X.norm() + eps)
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.mT
    for _ in range(steps):
        gram = X @ X.mT
        gx = gram @ X
        X = c1 * X + c3 * gx + c5 * (gram @ gx)
    if tall:
        X = X.mT
    return X


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=3e-4, momentum=0.95, nesterov=True, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if "mom" not in st:
                    st["mom"] = torch.zeros_like(p.grad)
                mom = st["mom"]
                mom.mul_(mu).add_(p.grad)
                g = p.grad.add(mom, alpha=mu) if group["nesterov"] else mom
                rows, cols = g.shape
                if rows == 3 * cols:
                    # fused (q;k;v) weight: treat the three square blocks independently
                    upd = torch.cat([orthogonalize(blk, group["ns_steps"]) for blk in g.chunk(3, dim=0)], dim=0)
                    gain = cols ** 0.5
                else:
                    upd = orthogonalize(g, group["ns_steps"])
                    gain = max(rows, cols) ** 0.5
                p.add_(upd.to(p.dtype), alpha=-group["lr"] * gain)


# ------------------------------------------------------------------------------------------
# model

def rmsnorm(x):
    return F.rms_norm(x, (x.size(-1),))


class RoPECache(nn.Module):
    def __init__(self, head_dim, base=10000.0):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / base ** (torch.arange(0, head_dim, 2).float() / head_dim), persistent=False)
        self._len, self._cos, self._sin = 0, None, None

    def forward(self, x):
        T = x.size(1)
        if T != self._len:
            ang = torch.outer(torch.arange(T, device=x.device).float(), self.inv_freq)
            self._len, self._cos, self._sin = T, ang.cos()[None, :, None, :], ang.sin()[None, :, None, :]
        a, b = x.float().chunk(2, dim=-1)
        c, s = self._cos, self._sin
        return torch.cat([a * c + b * s, b * c - a * s], dim=-1).type_as(x)


class SelfAttn(nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.n_head = n_head
        self.to_qkv = nn.Linear(d, 3 * d, bias=False)
        self.to_out = nn.Linear(d, d, bias=False)
        self.rope = RoPECache(d // n_head)

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = self.to_qkv(x).view(B, T, 3, self.n_head, D // self.n_head).unbind(dim=2)
        q, k = self.rope(q), self.rope(k)
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
            y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.to_out(y.transpose(1, 2).reshape(B, T, D))


class Layer(nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.attn = SelfAttn(d, n_head)
        self.fc_in = nn.Linear(d, 4 * d, bias=False)
        self.fc_out = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        x = x + self.attn(rmsnorm(x))
        x = x + self.fc_out(F.gelu(self.fc_in(rmsnorm(x))))
        return x


@dataclass
class LitConfig:
    vocab: int = 50257
    d_model: int = 768
    n_layer: int = 12
    n_head: int = 12
    base_lr: float = 0.0036
    warmdown_steps: int = 1800
    max_steps: int = 6200
    betas: tuple = field(default=(0.9, 0.95))


class LitGPT(nn.Module):
    """LightningModule-style: owns the model, the loss and its optimizers."""

    def __init__(self, cfg: LitConfig):
        super().__init__()
        self.cfg = cfg
        self.tok_embed = nn.Embedding(cfg.vocab, cfg.d_model)
        self.layers = nn.ModuleList([Layer(cfg.d_model, cfg.n_head) for _ in range(cfg.n_layer)])
        self.unembed = nn.Linear(cfg.d_model, cfg.vocab, bias=False)
        self.tok_embed.weight = self.unembed.weight  # weight tying
        self.logged = {}

    def forward(self, idx, tgt=None):
        h = self.tok_embed(idx)
        for layer in self.layers:
            h = layer(h)
        logits = self.unembed(rmsnorm(h))
        if tgt is None:
            return logits
        logits = logits.float()
        return F.cross_entropy(logits.flatten(0, 1), tgt.flatten())

    def training_step(self, batch, batch_idx, wrapped=None):
        # `wrapped` is the DDP/compiled view of this module, supplied by the loop (strategy)
        loss = (wrapped or self)(*batch)
        self.log("train/loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        return self(*batch).detach()

    def configure_optimizers(self):
        c = self.cfg
        head_opt = torch.optim.AdamW(self.unembed.parameters(), lr=c.base_lr, betas=c.betas,
                                     weight_decay=0.0, fused=True)
        hidden_opt = OrthoSGD(self.layers.parameters(), lr=0.1 * c.base_lr, momentum=0.95)

        def shape(step):  # flat at peak from step 0, then linear decay to zero
            return min(1.0, (c.max_steps - step) / c.warmdown_steps)

        opts = [head_opt, hidden_opt]
        scheds = [torch.optim.lr_scheduler.LambdaLR(o, shape) for o in opts]
        return opts, scheds

    def log(self, name, value):
        self.logged[name] = value.detach()


# ------------------------------------------------------------------------------------------
# data

class TokenShards:
    def __init__(self, pattern, batch, seq, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.batch, self.seq, self.rank, self.world = batch, seq, rank, world
        self.reset()

    def reset(self):
        self.fi, self.pos = 0, self.rank * self.batch * self.seq
        self.toks = self._load(self.files[0])

    @staticmethod
    def _load(path):
        header = np.fromfile(path, dtype=np.int32, count=256)
        assert header[0] == 20240520
        return np.fromfile(path, dtype=np.uint16, offset=256 * 4)[: header[2]]

    def __iter__(self):
        return self

    def __next__(self):
        n = self.batch * self.seq
        if self.pos + n + 1 > len(self.toks):
            self.fi = (self.fi + 1) % len(self.files)
            self.toks, self.pos = self._load(self.files[self.fi]), self.rank * n
        buf = torch.tensor(self.toks[self.pos:self.pos + n + 1].astype(np.int64))
        self.pos += n * self.world
        return buf[:-1].view(self.batch, self.seq).cuda(), buf[1:].view(self.batch, self.seq).cuda()


# ------------------------------------------------------------------------------------------
# a very small "Trainer"

class Loop:
    def __init__(self, max_steps, val_every=125, val_batches=20):
        self.max_steps, self.val_every, self.val_batches = max_steps, val_every, val_batches
        dist.init_process_group("nccl")
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        self.local = int(os.environ["LOCAL_RANK"])
        torch.cuda.set_device(self.local)

    def fit(self, lit: LitGPT, train_dl: TokenShards, val_dl: TokenShards):
        lit = lit.cuda()
        opts, scheds = lit.configure_optimizers()
        net = DistributedDataParallel(torch.compile(lit), device_ids=[self.local])
        amp = torch.autocast("cuda", dtype=torch.bfloat16)
        t0 = time.perf_counter()
        for step in range(self.max_steps + 1):
            if step == self.max_steps or step % self.val_every == 0:
                val_dl.reset()
                lit.eval()
                with torch.no_grad(), amp:
                    vals = torch.stack([lit.validation_step(next(val_dl), i) for i in range(self.val_batches)])
                v = vals.mean()
                dist.all_reduce(v, op=dist.ReduceOp.AVG)
                if self.rank == 0:
                    print(f"[val] step {step} loss {v.item():.4f} t={time.perf_counter() - t0:.0f}s")
                lit.train()
            if step == self.max_steps:
                break
            batch = next(train_dl)
            with amp:
                loss = lit.training_step(batch, step, wrapped=net)
            loss.backward()
            for opt, sch in zip(opts, scheds):
                opt.step()
                sch.step()
            net.zero_grad(set_to_none=True)
            if self.rank == 0:
                print(f"step {step} loss {loss.item():.4f}")
        dist.destroy_process_group()


if __name__ == "__main__":
    cfg = LitConfig()
    loop = Loop(max_steps=cfg.max_steps)
    per_gpu_seqs, seq_len = 64, 1024
    assert per_gpu_seqs * seq_len * loop.world == 524288
    train = TokenShards(os.environ["NANOGPT_TRAIN_FILES"], per_gpu_seqs, seq_len, loop.rank, loop.world)
    val = TokenShards(os.environ["NANOGPT_VAL_FILES"], per_gpu_seqs, seq_len, loop.rank, loop.world)
    loop.fit(LitGPT(cfg), train, val)
