"""
GPT-2 (124M) pretraining on FineWeb10B token shards, driven by PyTorch-Ignite.

The training loop is an ignite ``Engine``; everything that is not the raw
forward/backward (learning-rate control, validation, logging, checkpointing)
lives in event handlers attached to the engine.

Launch:
    torchrun --standalone --nproc_per_node=8 ignite_gpt_ortho.py
"""
import glob
import math
import os
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from ignite.engine import Engine, Events
from ignite.handlers import Timer


# ---------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------

@dataclass
class RunCfg:
    train_glob: str = os.environ.get("FW_TRAIN", "data/fineweb10B/fineweb_train_*.bin")
    val_glob: str = os.environ.get("FW_VAL", "data/fineweb10B/fineweb_val_*.bin")
    val_tokens: int = int(os.environ.get("FW_VAL_TOKENS", 10_485_760))
    seqs_per_rank: int = 32
    ctx_len: int = 1024
    total_steps: int = 6000
    ramp_steps: int = 200          # linear ramp-up of the learning rate
    anneal_steps: int = 1800       # linear ramp-down to zero over the final steps
    embed_lr: float = 0.0036       # AdamW on the (tied) token embedding / output matrix
    hidden_lr_ratio: float = 0.1   # orthogonalized optimizer runs at a tenth of that
    ortho_momentum: float = 0.95
    ns_iters: int = 5
    eval_every: int = 125
    n_layer: int = 12
    n_head: int = 12
    d_model: int = 768


CFG = RunCfg()
GPT2_VOCAB = 50257
# round the vocabulary up so the output GEMM has a nicely aligned N dimension
VOCAB_ROWS = -(-GPT2_VOCAB // 128) * 128


# ---------------------------------------------------------------------------
# orthogonalized momentum optimizer for hidden matrices
# ---------------------------------------------------------------------------

_NS_COEFFS = (3.4445, -4.7750, 2.0315)


@torch.compile
def orthogonalize(M: torch.Tensor, iters: int = 5, eps: float = 1e-7) -> torch.Tensor:
    """Approximate U V^T of M with a quintic Newton-Schulz iteration in bf16."""
    a, b, c = _NS_COEFFS
    X = M.bfloat16()
    X = X / (X.norm() + eps)
    flip = M.size(0) > M.size(1)
    if flip:
        X = X.T
    for _ in range(iters):
        gram = X @ X.T
        poly = b * gram + c * (gram @ gram)   # all products on the small Gram matrix
        X = a * X + poly @ X
    if flip:
        X = X.T
    return X


class OrthoMomentum(torch.optim.Optimizer):
    """SGD with Nesterov momentum whose step direction is orthogonalized.

    Work is spread over ranks: matrix ``i`` is processed by rank ``i % world``.
    Every rank writes its results into one flat bf16 buffer which is then
    summed across ranks, so all ranks end up applying every update.
    """

    def __init__(self, params, lr=3.6e-4, beta=0.95, nesterov=True, iters=5, rank=0, world=1):
        super().__init__(params, dict(lr=lr, beta=beta, nesterov=nesterov, iters=iters))
        self.rank = rank
        self.world = world

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            plist = grp["params"]
            beta = grp["beta"]
            total = sum(p.numel() for p in plist)
            flat = torch.zeros(total, dtype=torch.bfloat16, device=plist[0].device)
            offset = 0
            for idx, p in enumerate(plist):
                n = p.numel()
                if idx % self.world == self.rank and p.grad is not None:
                    g = p.grad
                    st = self.state[p]
                    if "mom" not in st:
                        st["mom"] = torch.zeros_like(g)
                    mom = st["mom"]
                    mom.mul_(beta).add_(g)
                    direction = g.add(mom, alpha=beta) if grp["nesterov"] else mom
                    rows, cols = direction.shape
                    if rows == 3 * cols:
                        # fused q/k/v weight: treat the three square blocks independently
                        pieces = [orthogonalize(blk, grp["iters"]) for blk in direction.split(cols, dim=0)]
                        direction = torch.cat(pieces, dim=0)
                        gain = math.sqrt(cols)
                    else:
                        direction = orthogonalize(direction, grp["iters"])
                        gain = math.sqrt(max(rows, cols))
                    flat[offset:offset + n] = (direction * gain).reshape(-1)
                offset += n
            if self.world > 1:
                dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            offset = 0
            for p in plist:
                n = p.numel()
                p.add_(flat[offset:offset + n].view_as(p).to(p.dtype), alpha=-grp["lr"])
                offset += n


# ---------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------

def rms(x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    xf = x.float()
    return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)).type_as(x)


class RotaryCache(nn.Module):
    def __init__(self, head_dim: int, theta: float = 10_000.0):
        super().__init__()
        exps = torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim
        self.register_buffer("freqs", theta ** (-exps), persistent=False)
        self._len = -1
        self._cos = None
        self._sin = None

    def forward(self, T: int, device):
        if T != self._len:
            pos = torch.arange(T, device=device, dtype=torch.float32)
            ang = pos[:, None] * self.freqs.to(device)[None, :]
            self._cos = ang.cos().bfloat16()[None, :, None, :]
            self._sin = ang.sin().bfloat16()[None, :, None, :]
            self._len = T
        return self._cos, self._sin


def spin(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    half = x.size(-1) // 2
    lo, hi = x[..., :half], x[..., half:]
    return torch.cat((lo * cos + hi * sin, hi * cos - lo * sin), dim=-1).type_as(x)


class SelfAttn(nn.Module):
    def __init__(self, d: int, heads: int):
        super().__init__()
        self.h = heads
        self.hd = d // heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)
        self.rope = RotaryCache(self.hd)
        with torch.no_grad():
            # start the value path at zero so that attention contributes nothing initially
            self.qkv.weight[2 * d:].zero_()

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        q = q.view(B, T, self.h, self.hd)
        k = k.view(B, T, self.h, self.hd)
        v = v.view(B, T, self.h, self.hd)
        cos, sin = self.rope(T, x.device)
        q, k = spin(q, cos, sin), spin(k, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class FeedForward(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        h = torch.clamp_min(self.up(x), 0.0)
        return self.down(h * h)


class Layer(nn.Module):
    def __init__(self, d: int, heads: int, depth: int):
        super().__init__()
        self.attn = SelfAttn(d, heads)
        self.ff = FeedForward(d)
        self.branch_gain = (2 * depth) ** -0.5

    def forward(self, x):
        x = x + self.branch_gain * self.attn(rms(x))
        x = x + self.ff(rms(x))
        return x


class TinyGPT(nn.Module):
    def __init__(self, cfg: RunCfg):
        super().__init__()
        self.tok = nn.Embedding(VOCAB_ROWS, cfg.d_model)
        self.layers = nn.ModuleList([Layer(cfg.d_model, cfg.n_head, cfg.n_layer) for _ in range(cfg.n_layer)])
        self.head = nn.Linear(cfg.d_model, VOCAB_ROWS, bias=False)
        self.tok.weight = self.head.weight

    def forward(self, idx, tgt):
        h = self.tok(idx)
        for blk in self.layers:
            h = blk(h)
        h = rms(h)
        logits = self.head(h).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------

def read_shard(path):
    with open(path, "rb") as fh:
        hdr = np.frombuffer(fh.read(256 * 4), dtype=np.int32)
        assert hdr[0] == 20240520 and hdr[1] == 1, f"bad shard header in {path}"
        toks = np.frombuffer(fh.read(), dtype=np.uint16)
    assert len(toks) == hdr[2]
    return toks


class ShardStream:
    def __init__(self, pattern, B, T, rank, world):
        self.files = sorted(glob.glob(pattern))
        assert self.files, f"no shards match {pattern}"
        self.B, self.T, self.rank, self.world = B, T, rank, world
        self.reset()

    def reset(self):
        self.fi = 0
        self.toks = read_shard(self.files[0])
        self.pos = self.rank * self.B * self.T

    def __iter__(self):
        return self

    def __next__(self):
        span = self.B * self.T
        buf = torch.from_numpy(self.toks[self.pos:self.pos + span + 1].astype(np.int64))
        x = buf[:-1].view(self.B, self.T)
        y = buf[1:].view(self.B, self.T)
        self.pos += span * self.world
        if self.pos + span * self.world + 1 > len(self.toks):
            self.fi = (self.fi + 1) % len(self.files)
            self.toks = read_shard(self.files[self.fi])
            self.pos = self.rank * span
        return x.cuda(non_blocking=True), y.cuda(non_blocking=True)


# ---------------------------------------------------------------------------
# setup
# ---------------------------------------------------------------------------

dist.init_process_group("nccl")
RANK = dist.get_rank()
WORLD = dist.get_world_size()
LOCAL = int(os.environ.get("LOCAL_RANK", 0))
torch.cuda.set_device(LOCAL)
IS_MAIN = RANK == 0


def log(msg):
    if IS_MAIN:
        print(msg, flush=True)


net = TinyGPT(CFG).cuda()
net = torch.compile(net)
ddp_net = DistributedDataParallel(net, device_ids=[LOCAL])
core = ddp_net.module

hidden_mats = list(core.layers.parameters())
embed_opt = torch.optim.AdamW(core.head.parameters(), lr=CFG.embed_lr, betas=(0.9, 0.95),
                              weight_decay=0.0)
hidden_opt = OrthoMomentum(hidden_mats, lr=CFG.hidden_lr_ratio * CFG.embed_lr, beta=CFG.ortho_momentum,
                           iters=CFG.ns_iters, rank=RANK, world=WORLD)
optimizers = [embed_opt, hidden_opt]
base_lrs = [[g["lr"] for g in o.param_groups] for o in optimizers]

amp = torch.autocast(device_type="cuda", dtype=torch.bfloat16)
train_stream = ShardStream(CFG.train_glob, CFG.seqs_per_rank, CFG.ctx_len, RANK, WORLD)


def lr_multiplier(it: int) -> float:
    """ramp up, hold, ramp down to zero"""
    if it < CFG.ramp_steps:
        return (it + 1) / CFG.ramp_steps
    remaining = CFG.total_steps - it
    if remaining > CFG.anneal_steps:
        return 1.0
    return max(remaining, 0) / CFG.anneal_steps


# ---------------------------------------------------------------------------
# ignite engine
# ---------------------------------------------------------------------------

def train_step(engine, batch):
    ddp_net.train()
    x, y = batch
    with amp:
        loss = ddp_net(x, y)
    loss.backward()
    # rescale the *whole* gradient vector to unit length before stepping
    grads = [p.grad for p in ddp_net.parameters() if p.grad is not None]
    gnorm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    for g in grads:
        g.div_(gnorm + 1e-6)
    for opt in optimizers:
        opt.step()
    ddp_net.zero_grad(set_to_none=True)
    return {"loss": loss.detach(), "gnorm": gnorm.detach()}


trainer = Engine(train_step)
step_timer = Timer(average=True)
step_timer.attach(trainer, start=Events.STARTED, resume=Events.ITERATION_STARTED,
                  pause=Events.ITERATION_COMPLETED, step=Events.ITERATION_COMPLETED)


@trainer.on(Events.ITERATION_STARTED)
def schedule_lr(engine):
    mult = lr_multiplier(engine.state.iteration - 1)
    for opt, lrs in zip(optimizers, base_lrs):
        for grp, base in zip(opt.param_groups, lrs):
            grp["lr"] = base * mult
    engine.state.lr_mult = mult


@trainer.on(Events.ITERATION_COMPLETED(every=10))
def report(engine):
    out = engine.state.output
    log(f"it {engine.state.iteration:5d} | loss {out['loss'].item():.4f} | gnorm {out['gnorm'].item():.3f} "
        f"| lr x{engine.state.lr_mult:.3f} | {1000 * step_timer.value():.1f} ms/it")


@trainer.on(Events.ITERATION_COMPLETED(every=CFG.eval_every) | Events.COMPLETED)
def validate(engine):
    ddp_net.eval()
    stream = ShardStream(CFG.val_glob, CFG.seqs_per_rank, CFG.ctx_len, RANK, WORLD)
    n_batches = CFG.val_tokens // (CFG.seqs_per_rank * CFG.ctx_len * WORLD)
    acc = torch.zeros((), device="cuda")
    with torch.no_grad(), amp:
        for _ in range(n_batches):
            xv, yv = next(stream)
            acc += ddp_net(xv, yv)
    acc /= n_batches
    dist.all_reduce(acc, op=dist.ReduceOp.AVG)
    log(f"it {engine.state.iteration:5d} | val_loss {acc.item():.4f}")


@trainer.on(Events.COMPLETED)
def finish(engine):
    if IS_MAIN:
        os.makedirs("ckpt", exist_ok=True)
        torch.save({"model": core.state_dict(), "it": engine.state.iteration}, "ckpt/final.pt")
    log(f"peak mem {torch.cuda.max_memory_allocated() // 2**20} MiB")


if __name__ == "__main__":
    t0 = time.time()
    trainer.run(train_stream, max_epochs=1, epoch_length=CFG.total_steps)
    log(f"wall time {time.time() - t0:.1f}s")
    dist.destroy_process_group()
