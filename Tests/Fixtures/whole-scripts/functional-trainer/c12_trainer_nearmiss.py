"""
engine/train_docs.py -- document-masked long-context pretraining, "Engine + hooks" layout.

* one packed 65,536-token stream per rank (8 ranks), document-causal local attention via a
  hand-assembled BlockMask
* bf16 network with fp32 master copies of the Linear weights
* encoder/decoder skip connections and a first-layer value residual
"""
import os
import glob
import time
from dataclasses import dataclass, field
from typing import Callable, List

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.nn.attention.flex_attention import BlockMask, flex_attention

flex_attention = torch.compile(flex_attention, dynamic=False)
BLOCK = 128


@dataclass
class ModelSpec:
    vocab: int = 50304
    width: int = 768
    layers: int = 12
    heads: int = 6
    window_blocks: int = 8          # 1024 tokens


@dataclass
class EngineSpec:
    model: ModelSpec = field(default_factory=ModelSpec)
    stream_len: int = 64 * 1024
    global_tokens: int = 8 * 64 * 1024
    steps: int = 1530
    cooldown: int = 600
    eval_every: int = 125
    eval_tokens: int = 10485760
    lr: dict = field(default_factory=lambda: dict(embed=0.6, out=0.008, scalar=0.04, matrix=0.04))


# ============================================================================ optimizer
def newton_schulz(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    T = X.size(0) > X.size(1)
    if T:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    return X.T if T else X


class DistOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.rank, self.world = dist.get_rank(), dist.get_world_size()

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            ps = g["params"]
            flat = torch.zeros(sum(p.numel() for p in ps), dtype=torch.bfloat16, device="cuda")
            off = 0
            for i, p in enumerate(ps):
                if i % self.world == self.rank:
                    m = self.state[p].setdefault("m", torch.zeros_like(p.grad))
                    m.mul_(g["momentum"]).add_(p.grad)
                    u = newton_schulz(p.grad.add(m, alpha=g["momentum"]))
                    u *= max(1, u.size(0) / u.size(1)) ** 0.5
                    flat[off:off + p.numel()] = u.flatten()
                off += p.numel()
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            off = 0
            for p in ps:
                p.add_(flat[off:off + p.numel()].view_as(p).to(p.dtype), alpha=-g["lr"])
                off += p.numel()


# ============================================================================ model
class MasterLinear(nn.Linear):
    """Keeps an fp32 weight even when the module tree is bf16; casts at matmul time."""

    def __init__(self, i, o):
        super().__init__(i, o, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


def nrm(x):
    return F.rms_norm(x, (x.size(-1),))


def rope(x, base=10000.0):
    T, hd = x.size(1), x.size(-1)
    inv = base ** (-torch.arange(0, hd, 2, device=x.device, dtype=torch.float32) / hd)
    ang = torch.arange(T, device=x.device, dtype=torch.float32)[:, None] * inv
    c, s = ang.cos()[None, :, None], ang.sin()[None, :, None]
    x1, x2 = x.float().chunk(2, -1)
    return torch.cat([x1 * c + x2 * s, x2 * c - x1 * s], -1).type_as(x)


class Layer(nn.Module):
    def __init__(self, s: ModelSpec):
        super().__init__()
        d, self.h = s.width, s.heads
        self.q, self.k, self.v, self.o = (MasterLinear(d, d) for _ in range(4))
        self.fc, self.pr = MasterLinear(d, 4 * d), MasterLinear(4 * d, d)
        self.o.weight.data.zero_()
        self.pr.weight.data.zero_()
        self.lam = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, v_first, mask):
        h = nrm(x)
        B, T, _ = h.shape
        q, k, v = (m(h).view(B, T, self.h, -1) for m in (self.q, self.k, self.v))
        if v_first is None:
            v_first = v
        v = (1 - self.lam) * v + self.lam * v_first
        q, k = rope(nrm(q)), rope(nrm(k))
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask)
        x = x + self.o(y.transpose(1, 2).reshape(B, T, -1))
        x = x + self.pr(F.relu(self.fc(nrm(x))).square())
        return x, v_first


class DocLM(nn.Module):
    def __init__(self, s: ModelSpec):
        super().__init__()
        self.s = s
        self.embed = nn.Embedding(s.vocab, s.width)
        self.layers = nn.ModuleList(Layer(s) for _ in range(s.layers))
        self.half = s.layers // 2
        self.skip_scale = nn.Parameter(torch.ones(s.layers - self.half))
        self.out = MasterLinear(s.width, s.vocab)
        self.out.weight.data.zero_()

    def block_mask(self, ids):
        docs = (ids == 50256).cumsum(0)
        nb = ids.numel() // BLOCK
        first, last = docs.view(nb, BLOCK)[:, 0], docs.view(nb, BLOCK)[:, -1]
        r = torch.arange(nb, device=ids.device)
        dq, dk = r[:, None], r[None, :]
        visible = (dq >= dk) & (dq - dk < self.s.window_blocks) & (first[:, None] <= last[None]) & (first[None] <= last[:, None])
        counts = visible.sum(-1, dtype=torch.int32)
        order = visible.to(torch.int32).argsort(-1, descending=True, stable=True).to(torch.int32)
        mod = lambda b, h, qi, ki: (qi >= ki) & (docs[qi] == docs[ki])
        return BlockMask.from_kv_blocks(counts[None, None].contiguous(), order[None, None].contiguous(),
                                        BLOCK_SIZE=BLOCK, mask_mod=mod)

    def forward(self, ids, tgt):
        mask = self.block_mask(ids)
        x = nrm(self.embed(ids[None]))
        v_first, skips = None, []
        for i, layer in enumerate(self.layers):
            if i >= self.half:
                x = x + self.skip_scale[i - self.half] * skips.pop()
            x, v_first = layer(x, v_first, mask)
            if i < self.half:
                skips.append(x)
        logits = self.out(nrm(x)).float()
        logits = 30 * torch.tanh(logits / 30)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt)


# ============================================================================ data
def read_tokens(path):
    n = int(torch.from_file(path, False, 256, dtype=torch.int32)[2])
    buf = torch.empty(n, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as f:
        f.seek(256 * 4)
        f.readinto(buf.numpy())
    return buf


def stream_batches(pattern, L, rank, world):
    for path in sorted(glob.glob(pattern)):
        toks, at = read_tokens(path), 0
        while at + L * world + 1 < len(toks):
            piece = toks[at + rank * L: at + rank * L + L + 1]
            at += L * world
            yield (piece[:-1].to("cuda", dtype=torch.int32, non_blocking=True),
                   piece[1:].to("cuda", dtype=torch.int64, non_blocking=True))


# ============================================================================ engine
Hook = Callable[["Engine", int], None]


class Engine:
    def __init__(self, spec: EngineSpec, hooks: List[Hook]):
        self.spec, self.hooks = spec, hooks
        dist.init_process_group("nccl")
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
        assert spec.stream_len * self.world == spec.global_tokens
        net = DocLM(spec.model).cuda().bfloat16()
        for m in net.modules():
            if isinstance(m, MasterLinear):
                m.float()
        self.net = net
        self.ddp = DDP(torch.compile(net), device_ids=[int(os.environ["LOCAL_RANK"])],
                       broadcast_buffers=False, gradient_as_bucket_view=True)
        lr = spec.lr
        mats = [p for p in net.layers.parameters() if p.ndim == 2]
        scal = [p for p in net.layers.parameters() if p.ndim < 2] + [net.skip_scale]
        self.adamw = torch.optim.AdamW([dict(params=[net.embed.weight], lr=lr["embed"]),
                                        dict(params=[net.out.weight], lr=lr["out"]),
                                        dict(params=scal, lr=lr["scalar"])], betas=(0.8, 0.95), fused=True)
        self.ortho = DistOrtho(mats, lr=lr["matrix"])
        self.opts = [self.adamw, self.ortho]
        f = lambda s: min(1.0, (spec.steps - s) / spec.cooldown)
        self.scheds = [torch.optim.lr_scheduler.LambdaLR(o, f) for o in self.opts]

    def evaluate(self):
        n = self.spec.eval_tokens // (self.world * self.spec.stream_len)
        it = stream_batches(os.environ["NANOGPT_VAL_FILES"], self.spec.stream_len, self.rank, self.world)
        self.ddp.eval()
        with torch.no_grad():
            loss = sum(self.ddp(*next(it)) for _ in range(n)) / n
        dist.all_reduce(loss, op=dist.ReduceOp.AVG)
        self.ddp.train()
        return loss.item()

    def run(self):
        sp = self.spec
        train = stream_batches(os.environ["NANOGPT_TRAIN_FILES"], sp.stream_len, self.rank, self.world)
        t0 = time.perf_counter()
        for step in range(sp.steps + 1):
            if step % sp.eval_every == 0 or step == sp.steps:
                vl = self.evaluate()
                if self.rank == 0:
                    print(f"eval step={step} loss={vl:.4f} t={time.perf_counter() - t0:.0f}s")
            if step == sp.steps:
                break
            for hook in self.hooks:
                hook(self, step)
            loss = self.ddp(*next(train))
            loss.backward()
            for o, s in zip(self.opts, self.scheds):
                o.step()
                s.step()
            self.ddp.zero_grad(set_to_none=True)
            if self.rank == 0:
                print(f"step={step + 1} train_loss={loss.item():.4f}")
        dist.destroy_process_group()


def momentum_ramp(engine: Engine, step: int):
    frac = min(step / 500, 1.0)
    for g in engine.ortho.param_groups:
        g["momentum"] = 0.85 + 0.10 * frac


if __name__ == "__main__":
    Engine(EngineSpec(), hooks=[momentum_ramp]).run()
