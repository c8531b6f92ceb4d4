"""Runner: python run.py [key=value ...]"""
import glob
import math
import os
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

import options
from blocks import build_model, describe


def ortho(G, steps):
    """Quintic Newton-Schulz map G -> approx. U V^T (bf16)."""
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    tall = G.size(0) > G.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + b * (A @ X) + c * (A @ (A @ X))
    return X.T if tall else X


class OrthoSGD(torch.optim.Optimizer):
    """Nesterov momentum, then replace the update by its orthogonalisation."""

    def __init__(self, params, lr, momentum=0.95, steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, steps=steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                buf = st.setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(mu).add_(p.grad)
                upd = p.grad.add(buf, alpha=mu)
                p.add_(ortho(upd, group["steps"]).to(p.dtype), alpha=-group["lr"])


class Loader:

    def __init__(self, pattern, B, T, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.B, self.T, self.rank, self.world = B, T, rank, world
        self.fi = -1
        self._next_file()

    def _next_file(self):
        self.fi = (self.fi + 1) % len(self.files)
        raw = np.fromfile(self.files[self.fi], dtype=np.uint16, offset=1024)
        self.data = torch.from_numpy(raw.astype(np.int64))
        self.pos = self.rank * self.B * self.T

    def batch(self):
        n = self.B * self.T
        if self.pos + n + 1 > len(self.data):
            self._next_file()
        chunk = self.data[self.pos:self.pos + n + 1]
        self.pos += n * self.world
        return chunk[:-1].view(self.B, self.T).cuda(), chunk[1:].view(self.B, self.T).cuda()


def lr_factor(step, T):
    if step < T["warmup"]:
        return (step + 1) / T["warmup"]
    prog = (step - T["warmup"]) / max(1, T["steps"] - T["warmup"])
    cos = 0.5 * (1.0 + math.cos(math.pi * min(prog, 1.0)))
    return T["min_lr_frac"] + (1.0 - T["min_lr_frac"]) * cos


def make_optimizers(net, T):
    """Embedding, unembedding, scalar gains and hidden matrices each get their
    own optimizer/learning rate."""
    matrices, gains = [], []
    for p in net.layers.parameters():
        (matrices if p.ndim == 2 else gains).append(p)
    gains.append(net.skip_gain)
    adam = torch.optim.AdamW(
        [
            dict(params=[net.embed.weight], lr=T["lr_embed"], weight_decay=T["embed_wd"]),
            dict(params=[net.unembed.weight], lr=T["lr_head"], weight_decay=T["embed_wd"]),
            dict(params=gains, lr=T["lr_scalar"], weight_decay=0.0),
        ],
        betas=T["adam_betas"],
    )
    osgd = OrthoSGD(matrices, lr=T["lr_matrix"], momentum=T["ortho_momentum"], steps=T["ortho_steps"])
    opts = [adam, osgd]
    for o in opts:
        for g in o.param_groups:
            g["base_lr"] = g["lr"]
    return opts


def main():
    M, T = options.apply_cli()
    distributed = "RANK" in os.environ
    if distributed:
        dist.init_process_group("nccl")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    torch.manual_seed(T["seed"])
    if rank == 0:
        print("registered components:", describe())

    net = build_model(M).cuda()
    opts = make_optimizers(net, T)
    model = torch.compile(net)
    if distributed:
        model = DDP(model, device_ids=[torch.cuda.current_device()])

    train = Loader(T["data_glob"], T["batch"], T["ctx"], rank, world)
    val = Loader(T["val_glob"], T["batch"], T["ctx"], rank, world)

    tic = time.perf_counter()
    for step in range(T["steps"] + 1):
        if step % T["val_every"] == 0 or step == T["steps"]:
            model.eval()
            with torch.no_grad(), torch.autocast("cuda", torch.bfloat16):
                vl = sum(model(*val.batch()) for _ in range(T["val_batches"])) / T["val_batches"]
            if distributed:
                dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            model.train()
            if rank == 0:
                print(f"step {step} val {vl.item():.4f} t {time.perf_counter() - tic:.0f}s")
        if step == T["steps"]:
            break
        x, y = train.batch()
        with torch.autocast("cuda", torch.bfloat16):
            loss = model(x, y)
        loss.backward()
        f = lr_factor(step, T)
        for o in opts:
            for g in o.param_groups:
                g["lr"] = g["base_lr"] * f
            o.step()
        net.zero_grad(set_to_none=True)

    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
