# torchtitan-like recipe: llama-ish decoder with sparse token-value tables, an FP8
# output projection (torch.library custom op) and a sequence-length curriculum.

import glob
import math
import os
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel as DDP


# ----------------------------------------------------------------------------- fp8 output op

@torch.library.custom_op("titanlite::fp8_out", mutates_args=())
def fp8_out(x: Tensor, w: Tensor, sx: float, sw: float, sg: float) -> tuple[Tensor, Tensor, Tensor]:
    xq = x.mul(sx).to(torch.float8_e4m3fn)
    wq = w.mul(sw).to(torch.float8_e4m3fn)
    y = torch._scaled_mm(xq, wq.t(), out_dtype=torch.bfloat16,
                         scale_a=x.new_tensor(1.0 / sx, dtype=torch.float32),
                         scale_b=x.new_tensor(1.0 / sw, dtype=torch.float32), use_fast_accum=True)
    return y, xq, wq


@fp8_out.register_fake
def _(x, w, *_):
    return x @ w.t(), x.to(torch.float8_e4m3fn), w.to(torch.float8_e4m3fn)


@torch.library.custom_op("titanlite::fp8_out_bwd", mutates_args=())
def fp8_out_bwd(g: Tensor, xq: Tensor, wq: Tensor, sx: float, sw: float, sg: float) -> tuple[Tensor, Tensor]:
    gq = g.mul(sg).to(torch.float8_e5m2)
    inv = lambda s: g.new_tensor(1.0 / s, dtype=torch.float32)
    dx = torch._scaled_mm(gq, wq.t().contiguous().t(), out_dtype=torch.bfloat16,
                          scale_a=inv(sg), scale_b=inv(sw), use_fast_accum=False)
    dw = torch._scaled_mm(xq.t().contiguous(), gq.t().contiguous().t(), out_dtype=torch.float32,
                          scale_a=inv(sx), scale_b=inv(sg), use_fast_accum=False).t()
    return dx, dw


@fp8_out_bwd.register_fake
def _(g, xq, wq, *_):
    return xq.to(torch.bfloat16), wq.to(torch.float32)


def _fp8_backward(ctx, dy, *_):
    xq, wq = ctx.saved_tensors
    dx, dw = torch.ops.titanlite.fp8_out_bwd(dy, xq, wq, *ctx.scales)
    return dx, dw, None, None, None


def _fp8_setup(ctx, inputs, output):
    ctx.save_for_backward(output[1], output[2])
    ctx.scales = inputs[2:]


fp8_out.register_autograd(_fp8_backward, setup_context=_fp8_setup)


# ----------------------------------------------------------------------------- model

@dataclass
class ModelArgs:
    dim: int = 768
    n_layers: int = 12
    n_heads: int = 6
    vocab_size: int = 50304
    n_value_tables: int = 3
    skip_attention_at: int = 7
    rope_base: float = 1024.0
    rope_cache_len: int = 65536
    softcap: float = 15.0
    fp8_scales: tuple = (2.0, 512.0, 2.0 ** 19)


def precompute_freqs_cis(head_dim, end, base):
    k = head_dim // 4
    omega = (1.0 / base) ** torch.linspace(0.0, 1.0, k, dtype=torch.float32)
    omega = torch.cat([omega, torch.zeros(k)])
    phase = torch.outer(torch.arange(end, dtype=torch.float32), omega)
    return torch.exp(1j * phase.to(torch.complex64))


def apply_freqs(x, freqs_cis):
    z = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
    z = z * freqs_cis[: x.size(1)][None, :, None, :]
    return torch.view_as_real(z).reshape(x.shape).type_as(x)


class Linear(nn.Linear):
    def __init__(self, i, o):
        super().__init__(i, o, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


class Attention(nn.Module):
    def __init__(self, a: ModelArgs):
        super().__init__()
        self.h = a.n_heads
        s = 0.5 * math.sqrt(3.0 / a.dim)
        self.wqkv = nn.Parameter(torch.empty(3, a.dim, a.dim).uniform_(-s, s))
        self.mix = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.wo = Linear(a.dim, a.dim)
        nn.init.zeros_(self.wo.weight)

    def forward(self, x, freqs_cis, extra_v):
        B, T, D = x.shape
        qkv = F.linear(x, self.wqkv.flatten(end_dim=1).type_as(x)).view(B, T, 3 * self.h, D // self.h)
        q, k, v = qkv.chunk(3, dim=-2)
        v = self.mix[0] * v if extra_v is None else self.mix[0] * v + self.mix[1] * extra_v.view_as(v)
        q, k = F.rms_norm(q, (q.size(-1),)), F.rms_norm(k, (k.size(-1),))
        q, k = apply_freqs(q, freqs_cis), apply_freqs(k, freqs_cis)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, D))


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.w1, self.w2 = Linear(dim, 4 * dim), Linear(4 * dim, dim)
        nn.init.zeros_(self.w2.weight)

    def forward(self, x):
        return self.w2(F.relu(self.w1(x)).square())


class TransformerBlock(nn.Module):
    def __init__(self, layer_id, a: ModelArgs):
        super().__init__()
        self.attention = Attention(a) if layer_id != a.skip_attention_at else None
        self.feed_forward = FeedForward(a.dim)
        self.resid = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, h0, freqs_cis, extra_v):
        x = self.resid[0] * x + self.resid[1] * h0
        if self.attention is not None:
            x = x + self.attention(F.rms_norm(x, (x.size(-1),)), freqs_cis, extra_v)
        return x + self.feed_forward(F.rms_norm(x, (x.size(-1),)))


class Transformer(nn.Module):
    def __init__(self, a: ModelArgs):
        super().__init__()
        self.a = a
        self.tok_embeddings = nn.Embedding(a.vocab_size, a.dim)
        self.value_embeddings = nn.ModuleList(nn.Embedding(a.vocab_size, a.dim) for _ in range(a.n_value_tables))
        self.layers = nn.ModuleList(TransformerBlock(i, a) for i in range(a.n_layers))
        self.skip_w = nn.Parameter(torch.ones(a.n_layers // 2))
        self.output = Linear(a.dim, a.vocab_size)
        nn.init.zeros_(self.output.weight)
        self.register_buffer("freqs_cis", precompute_freqs_cis(a.dim // a.n_heads, a.rope_cache_len, a.rope_base),
                             persistent=False)

    def value_plan(self, tokens):
        looked = [e(tokens) for e in self.value_embeddings]
        middle = [None] * (self.a.n_layers - 2 * len(looked))
        return [*looked, *middle, *looked]

    def forward(self, tokens, labels):
        h = F.rms_norm(self.tok_embeddings(tokens), (self.a.dim,))
        h0 = h
        plan = self.value_plan(tokens)
        half = self.a.n_layers // 2
        stack = []
        for i, layer in enumerate(self.layers):
            if i >= half:
                h = h + self.skip_w[i - half] * stack.pop()
            h = layer(h, h0, self.freqs_cis, plan[i])
            if i < half:
                stack.append(h)
        h = F.rms_norm(h, (self.a.dim,))
        if self.training:
            flat = h.flatten(0, -2).contiguous()
            logits = torch.ops.titanlite.fp8_out(flat, self.output.weight, *self.a.fp8_scales)[0]
        else:
            logits = self.output(h).flatten(0, -2)
        logits = self.a.softcap * torch.tanh(logits.float() / self.a.softcap)
        return F.cross_entropy(logits, labels.flatten())


# ----------------------------------------------------------------------------- optimizers

def newton_schulz(G, steps=5):
    assert G.ndim == 2
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    if G.size(0) > G.size(1):
        X = X.T
    return X


class MatrixOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.lerp_(p.grad, 1 - group["momentum"])
                g = p.grad.lerp(buf, group["momentum"])
                g2d = g.flatten(0, -2) if g.ndim > 2 else g     # (3, d, d) -> (3d, d)
                u = newton_schulz(g2d).view_as(p)
                p.add_(u.type_as(p), alpha=-group["lr"] * max(1.0, g2d.size(0) / g2d.size(1)) ** 0.5)


def build_optimizers(model, cfg):
    mats = [p for p in model.layers.parameters() if p.ndim >= 2]
    scalars = [p for p in model.parameters() if p.ndim < 2]
    adam = torch.optim.Adam([
        dict(params=[model.tok_embeddings.weight, *model.value_embeddings.parameters()], lr=cfg["lr_embed"]),
        dict(params=[model.output.weight], lr=cfg["lr_out"]),
        dict(params=scalars, lr=cfg["lr_scalar"]),
    ], betas=(0.8, 0.95), eps=1e-10, fused=True)
    return [adam, MatrixOrtho(mats, lr=cfg["lr_matrix"])]


def build_lr_schedulers(optimizers, cfg):
    def factor(step):
        frac_left = 1.0 - step / cfg["steps"]
        return min(1.0, frac_left / cfg["cooldown_frac"])
    return [torch.optim.lr_scheduler.LambdaLR(o, factor) for o in optimizers]


def seq_len_at(step, cfg):
    """Sequence-length curriculum: 256 -> max_seq_len, doubled at fixed fractions of training."""
    stages = int(math.log2(cfg["max_seq_len"] // 256))
    stage = min(stages, int(step / (cfg["steps"] * cfg["curriculum_frac"]) * (stages + 1)))
    return 256 * 2 ** stage


# ----------------------------------------------------------------------------- train

def train(cfg):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    model = Transformer(ModelArgs()).cuda()
    for m in model.modules():
        if isinstance(m, nn.Embedding):
            m.bfloat16()
    optimizers = build_optimizers(model, cfg["optim"])
    schedulers = build_lr_schedulers(optimizers, cfg["optim"])
    dmodel = DDP(torch.compile(model, dynamic=True), device_ids=[torch.cuda.current_device()])

    files = sorted(glob.glob(cfg["data"]))
    tokens = np.memmap(files[0], dtype=np.uint16, mode="r", offset=1024)
    pos, tok_per_rank = rank * cfg["tokens_per_rank"], cfg["tokens_per_rank"]
    for step in range(cfg["optim"]["steps"]):
        T = seq_len_at(step, cfg["optim"])
        B = tok_per_rank // T
        if pos + tok_per_rank + 1 > len(tokens):
            files.append(files.pop(0))
            tokens, pos = np.memmap(files[0], dtype=np.uint16, mode="r", offset=1024), rank * tok_per_rank
        chunk = torch.from_numpy(tokens[pos:pos + tok_per_rank + 1].astype(np.int64)).cuda(non_blocking=True)
        pos += tok_per_rank * world
        x, y = chunk[:-1].view(B, T).int(), chunk[1:].view(B, T)
        loss = dmodel(x, y)
        loss.backward()
        for opt, sch in zip(optimizers, schedulers):
            opt.step()
            sch.step()
            opt.zero_grad(set_to_none=True)
        if rank == 0 and step % cfg["log_freq"] == 0:
            print(f"step {step} seq_len {T} loss {loss.item():.4f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    train(dict(
        data=os.environ.get("DATA", "fineweb/train_*.bin"),
        tokens_per_rank=32 * 1024,
        log_freq=10,
        optim=dict(steps=3000, cooldown_frac=0.4, curriculum_frac=0.5, max_seq_len=2048,
                   lr_embed=0.3, lr_out=0.002, lr_scalar=0.02, lr_matrix=0.02),
    ))
