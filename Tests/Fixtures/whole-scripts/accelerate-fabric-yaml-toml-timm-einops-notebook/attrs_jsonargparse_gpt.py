"""
GPT trainer: attrs config classes + jsonargparse CLI.

    torchrun --nproc_per_node=8 attrs_jsonargparse_gpt.py \
        --model.n_layer 12 --optim.muon_lr 0.03 --runtime.num_iterations 1750
    torchrun ... attrs_jsonargparse_gpt.py --config run.yaml
    python attrs_jsonargparse_gpt.py --print_config

Packed 64K-token sequences per GPU, FlexAttention with a block mask assembled
directly from per-block document bounds.
"""
from __future__ import annotations

import glob
import os
import time
from contextlib import nullcontext
from typing import Optional

import attrs
import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from jsonargparse import CLI
from torch.nn.attention.flex_attention import BlockMask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP


# ---------------------------------------------------------------------------
# configs

@attrs.define
class ModelConfig:
    vocab_size: int = attrs.field(default=50257)
    n_layer: int = attrs.field(default=12)
    n_head: int = attrs.field(default=12)
    d_model: int = attrs.field(default=768)
    rope_base: float = attrs.field(default=10000.0)


@attrs.define
class AttentionConfig:
    block_size: int = attrs.field(default=128)
    eot_token: int = attrs.field(default=50256)
    window_blocks: Optional[int] = attrs.field(default=None)


@attrs.define
class OptimConfig:
    adam_lr: float = attrs.field(default=0.005)
    adam_betas: tuple = attrs.field(default=(0.9, 0.95))
    adam_eps: float = attrs.field(default=1e-8)
    adam_wd: float = attrs.field(default=0.01)
    muon_lr: float = attrs.field(default=0.03)
    muon_momentum: float = attrs.field(default=0.95)
    ns_steps: int = attrs.field(default=5)
    warmup_iters: int = attrs.field(default=50)


@attrs.define
class RuntimeConfig:
    train_files: str = attrs.field(default="data/fineweb10B/fineweb_train_*.bin")
    val_files: str = attrs.field(default="data/fineweb10B/fineweb_val_*.bin")
    seq_len: int = attrs.field(default=64 * 1024)
    num_iterations: int = attrs.field(default=1750)
    val_every: int = attrs.field(default=125)
    val_tokens: int = attrs.field(default=10485760)
    skip_guard_eval: bool = attrs.field(default=False)
    broadcast_buffers: bool = attrs.field(default=False)
    seed: int = attrs.field(default=0)
    debug: bool = attrs.field(default=False)


# ---------------------------------------------------------------------------
# model

def norm(x):
    return F.rms_norm(x, (x.size(-1),))


class Rotary(nn.Module):
    def __init__(self, dim, base):
        super().__init__()
        self.register_buffer("inv_freq", (1.0 / base) ** (torch.arange(0, dim, 2).float() / dim), persistent=False)
        self.seq_len_cached = None

    def forward(self, x):
        T = x.size(-3)
        if T != self.seq_len_cached:
            self.seq_len_cached = T
            t = torch.arange(T, device=x.device).float()
            f = torch.outer(t, self.inv_freq)
            self.cos_cached = f.cos().bfloat16()[None, :, None, :]
            self.sin_cached = f.sin().bfloat16()[None, :, None, :]
        cos, sin = self.cos_cached, self.sin_cached
        x1, x2 = x.chunk(2, dim=-1)
        return torch.cat((x1 * cos + x2 * sin, x2 * cos - x1 * sin), dim=-1).type_as(x)


class CausalSelfAttention(nn.Module):
    def __init__(self, mc: ModelConfig):
        super().__init__()
        self.h = mc.n_head
        self.hd = mc.d_model // mc.n_head
        self.c_q = nn.Linear(mc.d_model, mc.d_model, bias=False)
        self.c_k = nn.Linear(mc.d_model, mc.d_model, bias=False)
        self.c_v = nn.Linear(mc.d_model, mc.d_model, bias=False)
        self.c_proj = nn.Linear(mc.d_model, mc.d_model, bias=False)
        self.rotary = Rotary(self.hd, mc.rope_base)

    def forward(self, x, block_mask):
        B, T, _ = x.shape
        q = self.rotary(self.c_q(x).view(B, T, self.h, self.hd))
        k = self.rotary(self.c_k(x).view(B, T, self.h, self.hd))
        v = self.c_v(x).view(B, T, self.h, self.hd)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=block_mask)
        return self.c_proj(y.transpose(1, 2).contiguous().view_as(x))


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, mc: ModelConfig):
        super().__init__()
        self.attn = CausalSelfAttention(mc)
        self.mlp = MLP(mc.d_model)

    def forward(self, x, block_mask):
        x = x + self.attn(norm(x), block_mask)
        return x + self.mlp(norm(x))


class GPT(nn.Module):
    def __init__(self, mc: ModelConfig, ac: AttentionConfig):
        super().__init__()
        self.ac = ac
        self.wte = nn.Embedding(mc.vocab_size, mc.d_model)
        self.blocks = nn.ModuleList([Block(mc) for _ in range(mc.n_layer)])
        self.lm_head = nn.Linear(mc.d_model, mc.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight
        nn.init.normal_(self.wte.weight, std=0.02)

    def build_block_mask(self, idx: torch.Tensor) -> BlockMask:
        BLOCK = self.ac.block_size
        docs = (idx == self.ac.eot_token).cumsum(0)

        def document_causal(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])

        assert len(idx) % BLOCK == 0
        n_blocks = len(idx) // BLOCK
        block_idx = torch.arange(n_blocks, dtype=torch.int32, device=idx.device)
        any_causal = block_idx[:, None] >= block_idx[None, :]
        all_causal = block_idx[:, None] > block_idx[None, :]
        docs_low = docs.view(-1, BLOCK)[:, 0].contiguous()
        docs_high = docs.view(-1, BLOCK)[:, -1].contiguous()
        any_doc = (docs_low[:, None] <= docs_high[None, :]) & (docs_high[:, None] >= docs_low[None, :])
        all_doc = (docs_low[:, None] == docs_high[None, :]) & (docs_high[:, None] == docs_low[None, :])
        any_bm = any_causal & any_doc
        all_bm = all_causal & all_doc
        if self.ac.window_blocks is not None:
            in_window = block_idx[:, None] - block_idx[None, :] < self.ac.window_blocks
            any_bm = any_bm & in_window
            all_bm = all_bm & in_window

        def to_ordered(dense):
            num = dense.sum(dim=-1, dtype=torch.int32)
            ind = dense.argsort(dim=-1, descending=True, stable=True).to(torch.int32)
            return num[None, None].contiguous(), ind[None, None].contiguous()

        partial_num, partial_idx = to_ordered(any_bm & ~all_bm)
        full_num, full_idx = to_ordered(all_bm)
        return BlockMask.from_kv_blocks(
            partial_num, partial_idx, full_num, full_idx, BLOCK_SIZE=BLOCK, mask_mod=document_causal
        )

    def forward(self, idx, targets):
        block_mask = self.build_block_mask(idx)
        x = self.wte(idx[None])
        for block in self.blocks:
            x = block(x, block_mask)
        logits = self.lm_head(norm(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)


# ---------------------------------------------------------------------------
# Muon, sharded across ranks with overlapped communication

def orthogonalize(G, steps):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X /= X.norm() + 1e-7
    tall = G.size(0) > G.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    return X.T if tall else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum, ns_steps, rank, world_size, nesterov=True):
        self.rank, self.world_size = rank, world_size
        params = list(params)
        defaults = dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps)
        groups = []
        for size in sorted({p.numel() for p in params}):
            bufs = [torch.empty(size, dtype=torch.bfloat16, device="cuda") for _ in range(world_size)]
            groups.append(dict(params=[p for p in params if p.numel() == size], update_buffer=bufs))
        super().__init__(groups, defaults)

    @staticmethod
    def _apply(params_world, buffers, handle, lr):
        if params_world is None:
            return
        handle.wait()
        for p_world, g_world in zip(params_world, buffers):
            p_world.add_(g_world.view_as(p_world), alpha=-lr)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            buffers = group["update_buffer"]
            params = group["params"]
            handle, params_world = None, None
            for base in range(0, len(params), self.world_size):
                if base + self.rank < len(params):
                    p = params[base + self.rank]
                    g = p.grad
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = torch.zeros_like(g)
                    buf = state["momentum_buffer"]
                    buf.lerp_(g, 1 - momentum)
                    g = g.lerp_(buf, momentum) if group["nesterov"] else buf
                    g = orthogonalize(g, group["ns_steps"]).flatten()
                else:
                    g = buffers[self.rank]
                self._apply(params_world, buffers, handle, lr)
                handle = dist.all_gather(buffers, g, async_op=True)
                params_world = params[base : base + self.world_size]
            self._apply(params_world, buffers, handle, lr)


# ---------------------------------------------------------------------------
# data

def read_shard(path):
    header = np.fromfile(path, dtype=np.int32, count=256)
    assert header[0] == 20240520 and header[1] == 1
    return np.fromfile(path, dtype=np.uint16, offset=256 * 4, count=int(header[2]))


class PackedStream:
    def __init__(self, pattern, seq_len, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.T, self.rank, self.world = seq_len, rank, world
        self.reset()

    def reset(self):
        self.k = 0
        self.tokens = read_shard(self.files[0])
        self.pos = 0

    def next(self):
        if self.pos + self.T * self.world + 1 >= len(self.tokens):
            self.k = (self.k + 1) % len(self.files)
            self.tokens, self.pos = read_shard(self.files[self.k]), 0
        s = self.pos + self.rank * self.T
        chunk = torch.from_numpy(self.tokens[s : s + self.T + 1].astype(np.int64)).cuda()
        self.pos += self.T * self.world
        return chunk[:-1].to(torch.int32), chunk[1:]


# ---------------------------------------------------------------------------

def train(
    model: ModelConfig = ModelConfig(),
    attention: AttentionConfig = AttentionConfig(),
    optim: OptimConfig = OptimConfig(),
    runtime: RuntimeConfig = RuntimeConfig(),
):
    """Train a GPT on packed FineWeb tokens."""
    if runtime.debug:
        runtime = attrs.evolve(runtime, num_iterations=20, val_every=10, val_tokens=runtime.seq_len * 8)
        model = attrs.evolve(model, n_layer=2)

    dist.init_process_group(backend="nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    torch.manual_seed(runtime.seed)
    master = rank == 0
    if master:
        print(attrs.asdict(model), attrs.asdict(attention), attrs.asdict(optim), attrs.asdict(runtime), sep="\n")

    raw = GPT(model, attention).cuda()
    matrices = [p for p in raw.blocks.parameters() if p.ndim == 2]
    adam = torch.optim.AdamW([raw.wte.weight], lr=optim.adam_lr, betas=optim.adam_betas,
                             eps=optim.adam_eps, weight_decay=optim.adam_wd)
    muon = Muon(matrices, lr=optim.muon_lr, momentum=optim.muon_momentum, ns_steps=optim.ns_steps,
                rank=rank, world_size=world)
    optimizers = [adam, muon]
    for opt in optimizers:
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]

    compiled = torch.compile(raw)
    ddp = DDP(compiled, device_ids=[local_rank], broadcast_buffers=runtime.broadcast_buffers,
              gradient_as_bucket_view=False)

    train_stream = PackedStream(runtime.train_files, runtime.seq_len, rank, world)
    val_stream = PackedStream(runtime.val_files, runtime.seq_len, rank, world)
    val_steps = runtime.val_tokens // (runtime.seq_len * world)
    N = runtime.num_iterations

    def lr_mult(step):
        if step < optim.warmup_iters:
            return (step + 1) / optim.warmup_iters
        return (N - step) / (N - optim.warmup_iters)

    torch.cuda.synchronize()
    t0 = time.perf_counter()
    train_ms = 0.0
    for step in range(N + 1):
        last = step == N
        if last or step % runtime.val_every == 0:
            torch.cuda.synchronize()
            train_ms += 1000 * (time.perf_counter() - t0)
            ddp.eval()
            val_stream.reset()
            vl = torch.zeros((), device="cuda")
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                for _ in range(val_steps):
                    x, y = val_stream.next()
                    vl += ddp(x, y)
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if master:
                print(f"step:{step}/{N} val_loss:{vl.item() / val_steps:.4f} train_time:{train_ms:.0f}ms "
                      f"step_avg:{train_ms / max(step, 1):.2f}ms")
            ddp.train()
            torch.cuda.synchronize()
            t0 = time.perf_counter()
        if last:
            break

        stance = (torch.compiler.set_stance(skip_guard_eval_unsafe=True)
                  if runtime.skip_guard_eval and step >= 5 else nullcontext())
        with stance:
            x, y = train_stream.next()
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = ddp(x, y)
            loss.backward()
        m = lr_mult(step)
        for opt in optimizers:
            for g in opt.param_groups:
                g["lr"] = g["initial_lr"] * m
            opt.step()
        ddp.zero_grad(set_to_none=True)

    if master:
        print(f"peak memory allocated: {torch.cuda.max_memory_allocated() // 2**20} MiB")
    dist.destroy_process_group()


if __name__ == "__main__":
    CLI(train, as_positional=False)
