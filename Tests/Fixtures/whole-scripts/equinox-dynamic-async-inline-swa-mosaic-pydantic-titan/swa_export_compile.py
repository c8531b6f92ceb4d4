"""
GPT pre-training exercising the PyTorch 2.x toolbox: torch.compile with
inductor options, torch.amp autocast, SDPA backend selection, grouped-query
attention, an EMA shadow via torch.optim.swa_utils, chained LR schedulers,
DTensor sharded checkpoints and a torch.export artefact of the EMA weights.

    torchrun --nproc_per_node=8 swa_export_compile.py
"""
from __future__ import annotations

import dataclasses
import glob
import os
import time
from typing import Iterator

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.optim.lr_scheduler import ChainedScheduler, LinearLR, LRScheduler
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn


@dataclasses.dataclass
class RunConfig:
    train_files: str = "data/fineweb10B/fineweb_train_*.bin"
    val_files: str = "data/fineweb10B/fineweb_val_*.bin"
    vocab_size: int = 50257
    vocab_multiple: int = 128
    d_model: int = 768
    n_layer: int = 12
    n_q_heads: int = 12
    n_kv_heads: int = 4
    attn_temperature: float = 0.12
    rope_base: float = 1024.0
    rope_positions: int = 65536
    rows_per_rank: int = 48
    row_len: int = 1024
    val_row_len_mult: int = 4
    val_rows_per_rank: int = 12
    val_batches: int = 20
    steps: int = 4800
    warmup_steps: int = 256
    warmdown_steps: int = 1600
    lr: float = 2e-3
    weight_decay: float = 0.05
    ema_decay: float = 0.999
    head_scales: tuple = (2.0, 2.0 ** 9, 2.0 ** 19)  # activations, weights, grads
    compile_freeze_after: int = 10
    val_every: int = 400
    export_path: str = "gpt_ema.pt2"


# ---------------------------------------------------------------------------
# float8 output projection
# ---------------------------------------------------------------------------

@torch.library.custom_op("lab::f8_proj", mutates_args=())
def f8_proj(x: Tensor, w: Tensor, sx: float, sw: float, sg: float) -> tuple[Tensor, Tensor, Tensor]:
    xq = (x / sx).to(torch.float8_e4m3fn)
    wq = (w / sw).to(torch.float8_e4m3fn)
    y = torch._scaled_mm(
        xq, wq.t(), out_dtype=torch.bfloat16,
        scale_a=x.new_tensor(sx, dtype=torch.float32), scale_b=x.new_tensor(sw, dtype=torch.float32),
        use_fast_accum=True,
    )
    return y, xq, wq


@f8_proj.register_fake
def _(x, w, sx, sw, sg):
    return (x.new_empty(x.size(0), w.size(0), dtype=torch.bfloat16),
            torch.empty_like(x, dtype=torch.float8_e4m3fn),
            torch.empty_like(w, dtype=torch.float8_e4m3fn))


@torch.library.custom_op("lab::f8_proj_grad", mutates_args=())
def f8_proj_grad(g: Tensor, xq: Tensor, wq: Tensor, sx: float, sw: float, sg: float) -> tuple[Tensor, Tensor]:
    gq = (g / sg).to(torch.float8_e5m2)
    one = lambda s: g.new_tensor(s, dtype=torch.float32)
    dx = torch._scaled_mm(gq, wq.t().contiguous().t(), out_dtype=torch.bfloat16,
                          scale_a=one(sg), scale_b=one(sw), use_fast_accum=False)
    dw = torch._scaled_mm(gq.t().contiguous(), xq.t().contiguous().t(), out_dtype=torch.float32,
                          scale_a=one(sg), scale_b=one(sx), use_fast_accum=False)
    return dx, dw


@f8_proj_grad.register_fake
def _(g, xq, wq, sx, sw, sg):
    return (g.new_empty(g.size(0), wq.size(1), dtype=torch.bfloat16),
            g.new_empty(wq.shape, dtype=torch.float32))


def _f8_setup(ctx, inputs, output):
    _, _, sx, sw, sg = inputs
    ctx.save_for_backward(output[1], output[2])
    ctx.scales = (sx, sw, sg)


def _f8_backward(ctx, gy, _gx, _gw):
    xq, wq = ctx.saved_tensors
    dx, dw = f8_proj_grad(gy.contiguous(), xq, wq, *ctx.scales)
    return dx, dw, None, None, None


f8_proj.register_autograd(_f8_backward, setup_context=_f8_setup)


class Readout(nn.Module):
    def __init__(self, d: int, vocab: int, scales):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(vocab, d) * d ** -0.5)
        self.scales = tuple(float(s) for s in scales)

    def forward(self, x: Tensor) -> Tensor:
        if self.training:
            flat = x.reshape(-1, x.size(-1)).to(torch.bfloat16)
            y = f8_proj(flat, self.weight, *self.scales)[0]
            return y.view(*x.shape[:-1], -1)
        return F.linear(x, self.weight.type_as(x))


# ---------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------

class PartialRotary(nn.Module):
    """Rotates only the first half of the frequency slots; the rest stay fixed."""

    def __init__(self, head_dim: int, positions: int, base: float):
        super().__init__()
        quarter = head_dim // 4
        omega = (1.0 / base) ** torch.linspace(0, 1, steps=quarter, dtype=torch.float32)
        omega = torch.cat([omega, omega.new_zeros(quarter)])
        theta = torch.outer(torch.arange(positions, dtype=torch.float32), omega)
        self.register_buffer("cos", theta.cos(), persistent=False)
        self.register_buffer("sin", theta.sin(), persistent=False)

    def forward(self, x: Tensor) -> Tensor:  # (B, H, T, D)
        T = x.size(-2)
        c, s = self.cos[None, None, :T], self.sin[None, None, :T]
        x1, x2 = x.float().chunk(2, dim=-1)
        return torch.cat((x1 * c + x2 * s, x2 * c - x1 * s), dim=-1).type_as(x)


class GQAttention(nn.Module):
    def __init__(self, cfg: RunConfig):
        super().__init__()
        self.hq, self.hkv = cfg.n_q_heads, cfg.n_kv_heads
        self.hd = cfg.d_model // cfg.n_q_heads
        self.q = nn.Linear(cfg.d_model, self.hq * self.hd, bias=False)
        self.kv = nn.Linear(cfg.d_model, 2 * self.hkv * self.hd, bias=False)
        self.o = nn.Linear(self.hq * self.hd, cfg.d_model, bias=False)
        self.rot = PartialRotary(self.hd, cfg.rope_positions, cfg.rope_base)
        self.temperature = cfg.attn_temperature

    def forward(self, x: Tensor) -> Tensor:
        B, T, _ = x.shape
        q = self.q(x).view(B, T, self.hq, self.hd).transpose(1, 2)
        k, v = self.kv(x).view(B, T, 2, self.hkv, self.hd).permute(2, 0, 3, 1, 4)
        q, k = self.rot(q), self.rot(k)
        with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=self.temperature, enable_gqa=True)
        return self.o(y.transpose(1, 2).reshape(B, T, -1))


class Block(nn.Module):
    def __init__(self, cfg: RunConfig):
        super().__init__()
        self.n1 = nn.RMSNorm(cfg.d_model)
        self.attn = GQAttention(cfg)
        self.n2 = nn.RMSNorm(cfg.d_model)
        self.ff = nn.Sequential(
            nn.Linear(cfg.d_model, 4 * cfg.d_model, bias=False),
            nn.GELU(approximate="tanh"),
            nn.Linear(4 * cfg.d_model, cfg.d_model, bias=False),
        )

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.n1(x))
        return x + self.ff(self.n2(x))


class GPT(nn.Module):
    def __init__(self, cfg: RunConfig):
        super().__init__()
        vocab = -(-cfg.vocab_size // cfg.vocab_multiple) * cfg.vocab_multiple
        self.embed = nn.Embedding(vocab, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.norm = nn.RMSNorm(cfg.d_model)
        self.readout = Readout(cfg.d_model, vocab, cfg.head_scales)
        nn.init.normal_(self.embed.weight, std=0.02)

    def forward(self, idx: Tensor) -> Tensor:
        x = self.embed(idx)
        for blk in self.blocks:
            x = blk(x)
        return self.readout(self.norm(x))


def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten())


# ---------------------------------------------------------------------------
# schedule pieces
# ---------------------------------------------------------------------------

class LinearWarmdown(LRScheduler):
    """Chainable: multiplies the running lr so that the tail ramps linearly to zero."""

    def __init__(self, optimizer, total_steps: int, span: int, last_epoch: int = -1):
        self.total_steps, self.span = total_steps, span
        super().__init__(optimizer, last_epoch)

    def _factor(self, t: int) -> float:
        return min(1.0, max(0.0, (self.total_steps - t) / self.span))

    def get_lr(self):
        t = self.last_epoch
        if t == 0:
            return [g["lr"] for g in self.optimizer.param_groups]
        prev, cur = self._factor(t - 1), self._factor(t)
        if prev == 0.0:
            return [0.0 for _ in self.optimizer.param_groups]
        return [g["lr"] * cur / prev for g in self.optimizer.param_groups]


# ---------------------------------------------------------------------------
# distributed helpers
# ---------------------------------------------------------------------------

class Cluster:
    def __init__(self):
        dist.init_process_group("nccl")
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        self.local = int(os.environ.get("LOCAL_RANK", 0))
        torch.cuda.set_device(self.local)
        self.mesh = None
        try:
            from torch.distributed.device_mesh import init_device_mesh
            self.mesh = init_device_mesh("cuda", (self.world,), mesh_dim_names=("dp",))
        except Exception:
            pass

    @torch.no_grad()
    def replicate(self, module: nn.Module):
        for t in list(module.parameters()) + list(module.buffers()):
            dist.broadcast(t.data, src=0)

    @torch.no_grad()
    def reduce_grads(self, module: nn.Module):
        for p in module.parameters():
            if p.grad is not None:
                dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)

    def shard_state(self, module: nn.Module):
        """Row-shard every tensor over the dp mesh; returns this rank's local pieces."""
        if self.mesh is None:
            return {k: v.detach().cpu() for k, v in module.state_dict().items()}
        from torch.distributed.tensor import Shard, distribute_tensor
        out = {}
        for k, v in module.state_dict().items():
            if v.ndim >= 1 and v.size(0) % self.world == 0:
                out[k] = distribute_tensor(v.detach(), self.mesh, [Shard(0)]).to_local().cpu()
            elif self.rank == 0:
                out[k] = v.detach().cpu()
        return out


# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------

def token_rows(pattern: str, rows: int, row_len: int, rank: int, world: int) -> Iterator[tuple[Tensor, Tensor]]:
    files = sorted(glob.glob(pattern))
    need = rows * row_len
    while True:
        for path in files:
            header = np.fromfile(path, dtype=np.int32, count=256)
            toks = np.memmap(path, dtype=np.uint16, mode="r", offset=1024, shape=(int(header[2]),))
            at = rank * need
            while at + need + 1 <= len(toks):
                buf = torch.from_numpy(np.asarray(toks[at:at + need + 1], dtype=np.int64)).cuda(non_blocking=True)
                yield buf[:-1].view(rows, row_len), buf[1:].view(rows, row_len)
                at += world * need


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

def main(cfg: RunConfig):
    net = Cluster()
    torch.manual_seed(1234)
    model = GPT(cfg).cuda()
    net.replicate(model)

    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    opt = torch.optim.AdamW(
        [dict(params=decay, weight_decay=cfg.weight_decay), dict(params=no_decay, weight_decay=0.0)],
        lr=cfg.lr, betas=(0.9, 0.95), eps=1e-8, foreach=True,
    )
    sched = ChainedScheduler([
        LinearLR(opt, start_factor=1.0 / cfg.warmup_steps, end_factor=1.0, total_iters=cfg.warmup_steps),
        LinearWarmdown(opt, cfg.steps, cfg.warmdown_steps),
    ])
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(cfg.ema_decay), use_buffers=True)

    compiled = torch.compile(
        model, dynamic=False,
        options={"max_autotune": True, "epilogue_fusion": True, "triton.cudagraphs": False, "coordinate_descent_tuning": True},
    )

    train_it = token_rows(cfg.train_files, cfg.rows_per_rank, cfg.row_len, net.rank, net.world)
    val_len = cfg.row_len * cfg.val_row_len_mult

    def evaluate() -> float:
        shadow = ema.module.eval()
        it = token_rows(cfg.val_files, cfg.val_rows_per_rank, val_len, net.rank, net.world)
        acc = torch.zeros((), device="cuda")
        with torch.no_grad(), torch.amp.autocast("cuda", dtype=torch.bfloat16):
            for _ in range(cfg.val_batches):
                x, y = next(it)
                acc += lm_loss(shadow(x), y)
        acc /= cfg.val_batches
        dist.all_reduce(acc, op=dist.ReduceOp.AVG)
        return acc.item()

    model.train()
    t0 = time.perf_counter()
    for step in range(1, cfg.steps + 1):
        if step == cfg.compile_freeze_after:
            torch.compiler.set_stance("fail_on_recompile")
        x, y = next(train_it)
        with torch.amp.autocast("cuda", dtype=torch.bfloat16):
            loss = lm_loss(compiled(x), y)
        loss.backward()
        net.reduce_grads(model)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        ema.update_parameters(model)

        if step % cfg.val_every == 0 or step == cfg.steps:
            vl = evaluate()
            if net.rank == 0:
                rate = (time.perf_counter() - t0) / step
                print(f"step {step}/{cfg.steps} train {loss.item():.4f} ema-val {vl:.4f} "
                      f"lr {sched.get_last_lr()[0]:.2e} {rate * 1000:.0f}ms/step")

    torch.save(net.shard_state(ema.module), f"ema_shard_{net.rank}.pt")
    if net.rank == 0:
        shadow = ema.module.eval()
        example = torch.randint(0, cfg.vocab_size, (1, cfg.row_len), device="cuda")
        program = torch.export.export(shadow, (example,))
        torch.export.save(program, cfg.export_path)
        print(f"exported {cfg.export_path}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main(RunConfig())
