"""
experiments/longctx/train.py -- long-context (64K tokens / GPU) pretraining with FlexAttention.

Each rank consumes ONE packed token stream of 65,536 tokens per step; documents are
separated by the GPT-2 <|endoftext|> token and attention is document-causal within a
1024-token local window.

Memory note: if the allocator fragments on long runs, export
PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True in the launch script.
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
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.nn.attention.flex_attention import flex_attention, create_block_mask

flex_attention = torch.compile(flex_attention, dynamic=False)
create_block_mask = torch.compile(create_block_mask, dynamic=False)
EOT = 50256


@dataclass
class NetCfg:
    vocab: int = 50304
    dim: int = 768
    depth: int = 12
    heads: int = 6
    window: int = 1024


@dataclass
class OptCfg:
    lr_embed: float = 0.6
    lr_head: float = 0.008
    lr_scalar: float = 0.04
    lr_matrix: float = 0.05
    betas: tuple = (0.8, 0.95)
    mom_lo: float = 0.85
    mom_hi: float = 0.95
    mom_steps: int = 300


@dataclass
class ExpCfg:
    net: NetCfg = field(default_factory=NetCfg)
    opt: OptCfg = field(default_factory=OptCfg)
    tokens_per_gpu: int = 64 * 1024
    tokens_per_step: int = 8 * 64 * 1024     # 8 ranks x one 64K stream
    steps: int = 1750
    cooldown: int = 640
    eval_every: int = 125
    eval_tokens: int = 10485760
    stance_after: int = 5


# ----------------------------------------------------------------------------- optimizer
def orthogonalize(G, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    if G.size(0) > G.size(1):
        X = X.mT
    X = X / (X.norm() + 1e-7)
    for _ in range(iters):
        S = X @ X.mT
        P = b * S + c * (S @ S)
        X = a * X + P @ X
    if G.size(0) > G.size(1):
        X = X.mT
    return X


class OrthoNesterov(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            for p in grp["params"]:
                buf = self.state[p].setdefault("m", torch.zeros_like(p.grad))
                buf.mul_(grp["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=grp["momentum"])
                u = orthogonalize(g)
                # boost short-and-wide matrices so their update RMS matches square ones
                u *= max(1.0, u.size(1) / u.size(0)) ** 0.5
                p.add_(u.to(p.dtype), alpha=-grp["lr"])


# ----------------------------------------------------------------------------- model
def rmsn(t):
    return F.rms_norm(t, (t.size(-1),))


class RotaryPE(nn.Module):
    def __init__(self, hd, base=10000):
        super().__init__()
        self.register_buffer("freq", (1.0 / base) ** (torch.arange(0, hd, 2).float() / hd), persistent=False)

    def forward(self, t):
        ang = torch.outer(torch.arange(t.size(1), device=t.device).float(), self.freq)
        c, s = ang.cos()[None, :, None], ang.sin()[None, :, None]
        l, r = t.float().chunk(2, -1)
        return torch.cat((l * c + r * s, r * c - l * s), -1).type_as(t)


class Layer(nn.Module):
    def __init__(self, cfg: NetCfg):
        super().__init__()
        d = cfg.dim
        self.heads = cfg.heads
        self.q, self.k, self.v = (nn.Linear(d, d, bias=False) for _ in range(3))
        self.proj = nn.Linear(d, d, bias=False)
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.out = nn.Linear(4 * d, d, bias=False)
        for lin in (self.proj, self.out):
            nn.init.zeros_(lin.weight)
        self.rot = RotaryPE(d // cfg.heads)
        self.gate = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, embed0, mask):
        x = self.gate[0] * x + self.gate[1] * embed0
        h = rmsn(x)
        B, T, _ = h.shape
        q, k, v = (m(h).view(B, T, self.heads, -1) for m in (self.q, self.k, self.v))
        q, k = self.rot(rmsn(q)), self.rot(rmsn(k))
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask)
        x = x + self.proj(y.transpose(1, 2).reshape(B, T, -1))
        x = x + self.out(F.relu(self.fc(rmsn(x))).square())
        return x


class LongCtxLM(nn.Module):
    def __init__(self, cfg: NetCfg):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab, cfg.dim)
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg.depth))
        self.head = nn.Linear(cfg.dim, cfg.vocab, bias=False)
        self.head.weight.data.zero_()

    def forward(self, stream, targets):
        assert stream.ndim == 1
        doc = (stream == EOT).cumsum(0)
        W = self.cfg.window

        def keep(b, h, qi, ki):
            return (qi >= ki) & (doc[qi] == doc[ki]) & (qi - ki < W)

        n = stream.numel()
        mask = create_block_mask(keep, None, None, n, n, device=stream.device, _compile=True)
        e = rmsn(self.tok(stream[None]))
        x = e
        for layer in self.layers:
            x = layer(x, e, mask)
        logits = self.head(rmsn(x)).float()
        logits = 30 * torch.tanh(logits / 30)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)


# ----------------------------------------------------------------------------- data
class PackedStream:
    def __init__(self, pattern, n_tok, rank, world):
        self.files, self.n, self.rank, self.world = sorted(glob.glob(pattern)), n_tok, rank, world
        self.restart()

    def restart(self):
        self.fi = -1
        self._advance()

    def _advance(self):
        self.fi = (self.fi + 1) % len(self.files)
        self.data = np.memmap(self.files[self.fi], dtype=np.uint16, mode="r", offset=1024)
        self.pos = self.rank * self.n

    def take(self):
        if self.pos + self.n + 1 > len(self.data):
            self._advance()
        buf = torch.from_numpy(self.data[self.pos:self.pos + self.n + 1].astype(np.int64)).cuda()
        self.pos += self.n * self.world
        return buf[:-1], buf[1:]


# ----------------------------------------------------------------------------- experiment
class Experiment:
    def __init__(self, cfg: ExpCfg):
        self.cfg = cfg
        dist.init_process_group("nccl")
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        self.local = int(os.environ["LOCAL_RANK"])
        torch.cuda.set_device(self.local)
        assert cfg.tokens_per_gpu * self.world == cfg.tokens_per_step
        raw = LongCtxLM(cfg.net).cuda()
        self.raw = raw
        self.model = DDP(torch.compile(raw), device_ids=[self.local],
                         broadcast_buffers=False, gradient_as_bucket_view=True)
        oc = cfg.opt
        layer_params = list(raw.layers.parameters())
        self.opts = [
            torch.optim.Adam([raw.tok.weight], lr=oc.lr_embed, betas=oc.betas, fused=True),
            torch.optim.Adam([raw.head.weight], lr=oc.lr_head, betas=oc.betas, fused=True),
            torch.optim.Adam([p for p in layer_params if p.ndim < 2], lr=oc.lr_scalar, betas=oc.betas, fused=True),
        ]
        self.ortho = OrthoNesterov([p for p in layer_params if p.ndim == 2], lr=oc.lr_matrix)
        self.opts.append(self.ortho)
        self.base = [[g["lr"] for g in o.param_groups] for o in self.opts]
        self.train = PackedStream(os.environ["NANOGPT_TRAIN_FILES"], cfg.tokens_per_gpu, self.rank, self.world)

    def lr_mult(self, step):
        return min(1.0, (self.cfg.steps - step) / self.cfg.cooldown)

    def evaluate(self):
        val = PackedStream(os.environ["NANOGPT_VAL_FILES"], self.cfg.tokens_per_gpu, self.rank, self.world)
        n = self.cfg.eval_tokens // (self.cfg.tokens_per_gpu * self.world)
        self.model.eval()
        with torch.no_grad(), torch.autocast("cuda", torch.bfloat16):
            loss = sum(self.model(*val.take()) for _ in range(n)) / n
        dist.all_reduce(loss, op=dist.ReduceOp.AVG)
        self.model.train()
        return loss.item()

    def run(self):
        cfg, oc = self.cfg, self.cfg.opt
        t0 = time.perf_counter()
        for step in range(cfg.steps + 1):
            if step % cfg.eval_every == 0 or step == cfg.steps:
                vl = self.evaluate()
                if self.rank == 0:
                    print(f"step:{step} val_loss:{vl:.4f} time:{time.perf_counter() - t0:.0f}s")
            if step == cfg.steps:
                break
            if step == cfg.stance_after:
                torch.compiler.set_stance(skip_guard_eval_unsafe=True)
            x, y = self.train.take()
            with torch.autocast("cuda", torch.bfloat16):
                loss = self.model(x, y)
            loss.backward()
            frac = min(step / oc.mom_steps, 1.0)
            for g in self.ortho.param_groups:
                g["momentum"] = oc.mom_lo + (oc.mom_hi - oc.mom_lo) * frac
            for opt, base in zip(self.opts, self.base):
                for g, b in zip(opt.param_groups, base):
                    g["lr"] = b * self.lr_mult(step)
                opt.step()
            self.model.zero_grad(set_to_none=True)
            if self.rank == 0:
                print(f"step:{step} train_loss:{loss.item():.4f}")
        dist.destroy_process_group()


if __name__ == "__main__":
    Experiment(ExpCfg()).run()
