"""
causal_lm_task.py -- a Lightning-style task module + tiny runner (no lightning dependency).

Hooks mirror LightningModule: configure_optimizers() returns a list of
{"optimizer": ..., "lr_scheduler": ...} dicts, training_step() returns the loss and
on_before_optimizer_step() is where per-step schedules are applied.
"""
import os
import glob
import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.nn.attention import SDPBackend, sdpa_kernel


@dataclass
class HParams:
    vocab: int = 50257
    width: int = 768
    layers: int = 12
    heads: int = 12
    seq_len: int = 1024
    batch_per_gpu: int = 32
    max_steps: int = 4000
    ramp_steps: int = 300           # LR ramp for every param group
    cooldown_steps: int = 1200
    lr_tok: float = 0.3
    lr_out: float = 0.002
    lr_hidden: float = 0.02
    lr_gates: float = 0.02
    val_every: int = 250


# ------------------------------------------------------------------ orthogonal momentum
def ns_orth(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.to(torch.bfloat16)
    wide = X.size(0) <= X.size(1)
    X = X if wide else X.mT
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        X = a * X + (b * A + c * (A @ A)) @ X
    return X if wide else X.mT


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, steps=steps))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            beta = grp["momentum"]
            for w in grp["params"]:
                if w.grad is None:
                    continue
                st = self.state[w]
                if not st:
                    st["m"] = torch.zeros_like(w.grad)
                st["m"].mul_(beta).add_(w.grad)
                look = w.grad + beta * st["m"]          # nesterov look-ahead
                o = ns_orth(look, grp["steps"])
                ratio = w.size(0) / w.size(1)
                w.add_(o.to(w.dtype), alpha=-grp["lr"] * math.sqrt(max(ratio, 1.0)))


# ------------------------------------------------------------------ network
class RotaryTable(nn.Module):
    def __init__(self, head_dim, max_len=4096, base=10000.0):
        super().__init__()
        inv = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
        ang = torch.outer(torch.arange(max_len, dtype=torch.float32), inv)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def forward(self, t):                       # t: (B, T, H, Dh)
        T = t.size(1)
        c, s = self.cos[None, :T, None], self.sin[None, :T, None]
        u, w = t.float().chunk(2, dim=-1)
        return torch.cat([u * c + w * s, w * c - u * s], -1).type_as(t)


class MHA(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.pos = RotaryTable(d // h)

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, -1).unbind(2)
        q = F.rms_norm(q, (q.size(-1),))
        k = F.rms_norm(k, (k.size(-1),))
        q, k = self.pos(q), self.pos(k)
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.o(y.transpose(1, 2).flatten(2))


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.mha = MHA(d, h)
        self.ff1 = nn.Linear(d, 4 * d, bias=False)
        self.ff2 = nn.Linear(4 * d, d, bias=False)
        self.mix = nn.Parameter(torch.tensor([1.0, 0.0]))   # (residual, embedding) gates

    def forward(self, x, emb):
        x = self.mix[0] * x + self.mix[1] * emb
        x = x + self.mha(F.rms_norm(x, (x.size(-1),)))
        x = x + self.ff2(F.relu(self.ff1(F.rms_norm(x, (x.size(-1),)))).pow(2))
        return x


class CausalLMTask(nn.Module):
    def __init__(self, hp: HParams):
        super().__init__()
        self.hp = hp
        self.embed = nn.Embedding(hp.vocab, hp.width)
        self.body = nn.ModuleList(Block(hp.width, hp.heads) for _ in range(hp.layers))
        self.out_proj = nn.Linear(hp.width, hp.vocab, bias=False)

    def forward(self, idx, tgt):
        e = F.rms_norm(self.embed(idx), (self.hp.width,))
        h = e
        for blk in self.body:
            h = blk(h, e)
        logits = self.out_proj(F.rms_norm(h, (self.hp.width,))).float()
        logits = 30.0 * torch.tanh(logits / 30.0)
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), tgt.reshape(-1))

    # ---- lightning-style hooks -------------------------------------------------
    def training_step(self, batch, batch_idx, runner):
        return runner.forward(*batch)

    def configure_optimizers(self):
        hp = self.hp
        hidden = [p for p in self.body.parameters() if p.ndim == 2]
        gates = [p for p in self.body.parameters() if p.ndim < 2]
        opts = [
            torch.optim.Adam([self.embed.weight], lr=hp.lr_tok, betas=(0.9, 0.95), fused=True),
            torch.optim.Adam([self.out_proj.weight], lr=hp.lr_out, betas=(0.9, 0.95), fused=True),
            OrthoMomentum(hidden, lr=hp.lr_hidden, momentum=0.95),
            torch.optim.SGD(gates, lr=hp.lr_gates, momentum=0.8, nesterov=True),
        ]

        def lr_lambda(step):
            ramp = min(1.0, (step + 1) / hp.ramp_steps)
            cool = min(1.0, (hp.max_steps - step) / hp.cooldown_steps)
            return ramp * cool

        return [{"optimizer": o, "lr_scheduler": torch.optim.lr_scheduler.LambdaLR(o, lr_lambda)} for o in opts]

    def on_before_optimizer_step(self, step):
        pass  # hook kept for callbacks; momentum stays fixed at 0.95


# ------------------------------------------------------------------ data
def token_batches(pattern, B, T, rank, world, device):
    files = sorted(glob.glob(pattern))
    fi = 0
    while True:
        data = np.memmap(files[fi], dtype=np.uint16, mode="r", offset=256 * 4)
        pos = rank * B * T
        while pos + B * T + 1 <= len(data):
            arr = torch.from_numpy(np.asarray(data[pos:pos + B * T + 1], dtype=np.int64))
            pos += B * T * world
            yield arr[:-1].view(B, T).to(device), arr[1:].view(B, T).to(device)
        fi = (fi + 1) % len(files)


# ------------------------------------------------------------------ runner
class Runner:
    def __init__(self):
        if "RANK" in os.environ:
            dist.init_process_group("nccl")
            self.rank, self.world = dist.get_rank(), dist.get_world_size()
        else:
            self.rank, self.world = 0, 1
        self.device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(self.device)

    def fit(self, task: CausalLMTask):
        hp = task.hp
        task.to(self.device)
        cfg = task.configure_optimizers()
        self.forward = torch.compile(task)
        if self.world > 1:
            self.forward = DistributedDataParallel(self.forward, device_ids=[self.device.index])
        tr = token_batches(os.environ["NANOGPT_TRAIN_FILES"], hp.batch_per_gpu, hp.seq_len, self.rank, self.world, self.device)
        t0 = time.time()
        for step in range(hp.max_steps):
            batch = next(tr)
            with torch.autocast("cuda", torch.bfloat16):
                loss = task.training_step(batch, step, self)
            loss.backward()
            task.on_before_optimizer_step(step)
            for d in cfg:
                d["optimizer"].step()
                d["lr_scheduler"].step()
            task.zero_grad(set_to_none=True)
            if self.rank == 0:
                print(f"{step:5d} loss={loss.item():.4f} {time.time() - t0:.0f}s")
            if step and step % hp.val_every == 0:
                self.validate(task)
        self.validate(task)

    @torch.no_grad()
    def validate(self, task, n_batches=20):
        hp = task.hp
        it = token_batches(os.environ["NANOGPT_VAL_FILES"], hp.batch_per_gpu, hp.seq_len, self.rank, self.world, self.device)
        task.eval()
        acc = torch.zeros((), device=self.device)
        with torch.autocast("cuda", torch.bfloat16):
            for _ in range(n_batches):
                acc += task(*next(it))
        if self.world > 1:
            dist.all_reduce(acc, op=dist.ReduceOp.AVG)
        task.train()
        if self.rank == 0:
            print(f"val_loss={acc.item() / n_batches:.4f}")


if __name__ == "__main__":
    Runner().fit(CausalLMTask(HParams()))
