"""
Packed-sequence GPT training with FlexAttention, configured through OmegaConf
structured configs.

    torchrun --nproc_per_node=8 omegaconf_flex_gpt.py data.seq_len=32768 optim.lr=6e-4

Every field of RunConfig can be overridden from the command line in dotlist form.
"""

import contextlib
import glob
import math
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Iterator, Optional, Tuple

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from omegaconf import MISSING, OmegaConf
from torch import Tensor
from torch.nn.attention.flex_attention import BlockMask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP


# =============================================================================
# Structured configs
# =============================================================================

@dataclass
class ModelConfig:
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    d_model: int = 768
    rope_base: float = 10000.0
    ve_tables: int = 6                      # value-embedding tables shared by mirrored layers
    attn_out_scale: Optional[float] = None  # None -> (2 * n_layer) ** -0.5
    eot_id: int = 50256


@dataclass
class AttentionConfig:
    block_size: int = 128
    window_start: int = 64
    window_end: int = 1792


@dataclass
class DataConfig:
    train_glob: str = "data/fineweb10B/fineweb_train_*.bin"
    val_glob: str = "data/fineweb10B/fineweb_val_*.bin"
    seq_len: int = 32 * 1024                # tokens per GPU per step, one flat sequence
    val_tokens: int = 10 * 1024 * 1024


@dataclass
class OptimConfig:
    lr: float = 6e-4
    betas: Tuple[float, float] = (0.9, 0.95)
    weight_decay: float = 0.1
    warmup_steps: int = 200
    total_steps: int = 3000


@dataclass
class RuntimeConfig:
    compile: bool = True
    skip_guards_after: int = 5
    val_every: int = 250
    log_dir: str = "logs"
    seed: int = 0


@dataclass
class RunConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    attention: AttentionConfig = field(default_factory=AttentionConfig)
    data: DataConfig = field(default_factory=DataConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    run_name: str = MISSING


def load_config(argv) -> RunConfig:
    schema = OmegaConf.structured(RunConfig)
    cli = OmegaConf.from_dotlist(list(argv))
    if "run_name" not in cli:
        cli = OmegaConf.merge(cli, {"run_name": f"flexgpt-{int(time.time())}"})
    cfg = OmegaConf.merge(schema, cli)
    if cfg.model.attn_out_scale is None:
        cfg.model.attn_out_scale = (2 * cfg.model.n_layer) ** -0.5
    return cfg


# =============================================================================
# Model
# =============================================================================

class Rope(nn.Module):
    def __init__(self, head_dim: int, base: float):
        super().__init__()
        self.register_buffer("inv_freq", base ** (-torch.arange(0, head_dim, 2).float() / head_dim), persistent=False)

    def forward(self, x: Tensor) -> Tensor:  # (B, T, H, D)
        t = torch.arange(x.size(1), device=x.device, dtype=torch.float32)
        f = torch.outer(t, self.inv_freq)
        cos, sin = f.cos()[None, :, None, :].to(x.dtype), f.sin()[None, :, None, :].to(x.dtype)
        lo, hi = x.chunk(2, dim=-1)
        return torch.cat([lo * cos + hi * sin, hi * cos - lo * sin], dim=-1)


class Attention(nn.Module):
    def __init__(self, mc: ModelConfig):
        super().__init__()
        self.n_head = mc.n_head
        self.hd = mc.d_model // mc.n_head
        self.wq = nn.Linear(mc.d_model, mc.d_model, bias=False)
        self.wk = nn.Linear(mc.d_model, mc.d_model, bias=False)
        self.wv = nn.Linear(mc.d_model, mc.d_model, bias=False)
        self.wo = nn.Linear(mc.d_model, mc.d_model, bias=False)
        self.rope = Rope(self.hd, mc.rope_base)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x: Tensor, ve: Tensor, mask: BlockMask) -> Tensor:
        B, T, C = x.shape
        q = self.wq(x).view(B, T, self.n_head, self.hd)
        k = self.wk(x).view(B, T, self.n_head, self.hd)
        v = self.wv(x).view(B, T, self.n_head, self.hd)
        q, k = self.rope(q), self.rope(k)
        mix = self.lambdas[0]
        v = (1 - mix) * v + mix * ve.view_as(v)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))


class Layer(nn.Module):
    def __init__(self, mc: ModelConfig):
        super().__init__()
        self.norm_a = nn.RMSNorm(mc.d_model)
        self.attn = Attention(mc)
        self.norm_m = nn.RMSNorm(mc.d_model)
        self.fc_in = nn.Linear(mc.d_model, 4 * mc.d_model, bias=False)
        self.fc_out = nn.Linear(4 * mc.d_model, mc.d_model, bias=False)
        self.attn_out_scale = mc.attn_out_scale

    def forward(self, x: Tensor, ve: Tensor, mask: BlockMask) -> Tensor:
        x = x + self.attn_out_scale * self.attn(self.norm_a(x), ve, mask)
        x = x + self.fc_out(F.gelu(self.fc_in(self.norm_m(x))))
        return x


class FlexGPT(nn.Module):
    def __init__(self, mc: ModelConfig, ac: AttentionConfig):
        super().__init__()
        self.mc, self.ac = mc, ac
        self.tok = nn.Embedding(mc.vocab_size, mc.d_model)
        self.ve = nn.Embedding(mc.vocab_size, mc.ve_tables * mc.d_model)
        self.layers = nn.ModuleList([Layer(mc) for _ in range(mc.n_layer)])
        self.norm_f = nn.RMSNorm(mc.d_model)
        self.out = nn.Linear(mc.d_model, mc.vocab_size, bias=False)
        self.out.weight = self.tok.weight
        self.n_enc = mc.n_layer // 2
        assert mc.ve_tables == self.n_enc

    # ---- block-sparse mask built directly at 128-token block granularity ----
    def make_mask(self, idx: Tensor, window_blocks: Tensor) -> BlockMask:
        BS = self.ac.block_size
        S = idx.numel()
        assert S % BS == 0
        nb = S // BS
        docs = (idx == self.mc.eot_id).cumsum(0)
        first_doc = docs.view(nb, BS)[:, 0].contiguous()
        last_doc = docs.view(nb, BS)[:, -1].contiguous()
        bi = torch.arange(nb, device=idx.device)

        causal_any = bi[:, None] >= bi[None, :]
        causal_all = bi[:, None] > bi[None, :]
        doc_overlap = (first_doc[:, None] <= last_doc[None, :]) & (last_doc[:, None] >= first_doc[None, :])
        doc_single = (first_doc[:, None] == last_doc[None, :]) & (last_doc[:, None] == first_doc[None, :])
        touched = causal_any & doc_overlap
        full = causal_all & doc_single
        partial = touched & ~full

        def kv_lists(dense: Tensor):
            counts = dense.sum(-1, dtype=torch.int32)
            # visible blocks first, most recent block first
            order = torch.argsort(dense.int() * (bi[None, :] + 1), dim=-1, descending=True).to(torch.int32)
            return counts[None, None].contiguous(), order[None, None].contiguous()

        def doc_causal(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])

        p_cnt, p_idx = kv_lists(partial)
        f_cnt, f_idx = kv_lists(full)
        return BlockMask.from_kv_blocks(
            torch.clamp_max(p_cnt, torch.clamp_min(window_blocks - f_cnt, 1)),
            p_idx,
            torch.clamp_max(f_cnt, window_blocks - 1),
            f_idx,
            BLOCK_SIZE=BS,
            mask_mod=doc_causal,
        )

    def forward(self, idx: Tensor, targets: Tensor, window_blocks: Tensor) -> Tensor:
        mask = self.make_mask(idx, window_blocks)
        x = self.tok(idx)[None]
        tables = self.ve(idx)[None].chunk(self.mc.ve_tables, dim=-1)
        for i, layer in enumerate(self.layers):
            # encoder layer i uses table i, decoder layer j uses table (n_enc - 1 - j)
            ve_i = tables[i] if i < self.n_enc else tables[self.mc.n_layer - 1 - i]
            x = layer(x, ve_i, mask)
        logits = self.out(self.norm_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)


# =============================================================================
# Data: shards read straight into page-locked memory
# =============================================================================

def read_tokens_pinned(path: str) -> Tensor:
    header = torch.from_file(path, False, 256, dtype=torch.int32)
    assert int(header[0]) == 20240520, f"bad magic in {path}"
    n = int(header[2])
    toks = torch.empty(n, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as fh:
        fh.seek(256 * 4)
        got = fh.readinto(toks.numpy())
    assert got == 2 * n
    return toks


def packed_batches(pattern: str, seq_len: int, rank: int, world: int) -> Iterator[Tuple[Tensor, Tensor]]:
    files = sorted(glob.glob(pattern))
    step_tokens = seq_len * world
    for path in files:
        toks = read_tokens_pinned(path)
        cursor = 0
        while cursor + step_tokens + 1 < len(toks):
            piece = toks[cursor + rank * seq_len: cursor + rank * seq_len + seq_len + 1]
            x = piece[:-1].to("cuda", dtype=torch.int32, non_blocking=True)
            y = piece[1:].to("cuda", dtype=torch.int64, non_blocking=True)
            cursor += step_tokens
            yield x, y


# =============================================================================
# Train
# =============================================================================

def main(cfg: RunConfig) -> None:
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    torch.manual_seed(cfg.runtime.seed)
    is_main = rank == 0
    if is_main:
        os.makedirs(cfg.runtime.log_dir, exist_ok=True)
        print(OmegaConf.to_yaml(cfg))

    model = FlexGPT(cfg.model, cfg.attention).cuda()
    if cfg.runtime.compile:
        model = torch.compile(model, dynamic=False)
    model = DDP(model, device_ids=[local_rank], broadcast_buffers=False, gradient_as_bucket_view=True)

    oc = cfg.optim
    opt = torch.optim.AdamW(model.parameters(), lr=oc.lr, betas=tuple(oc.betas), weight_decay=oc.weight_decay)

    def lr_at(step: int) -> float:
        if step < oc.warmup_steps:
            return oc.lr * (step + 1) / oc.warmup_steps
        p = (step - oc.warmup_steps) / max(1, oc.total_steps - oc.warmup_steps)
        return oc.lr * 0.5 * (1.0 + math.cos(math.pi * p))

    ac = cfg.attention
    window_blocks = torch.tensor(1, dtype=torch.int32, device="cuda")
    current_blocks = -1

    train_iter = packed_batches(cfg.data.train_glob, cfg.data.seq_len, rank, world)
    clock = 0.0
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for step in range(oc.total_steps + 1):
        last = step == oc.total_steps
        progress = step / oc.total_steps
        window_tokens = (1 - progress) * ac.window_start + progress * ac.window_end
        nblocks = int((window_tokens + ac.block_size // 2) // ac.block_size)
        if nblocks != current_blocks:
            window_blocks.copy_(nblocks, non_blocking=True)
            current_blocks = nblocks

        if last or step % cfg.runtime.val_every == 0:
            torch.cuda.synchronize()
            clock += time.perf_counter() - t0
            model.eval()
            n_val = cfg.data.val_tokens // (cfg.data.seq_len * world)
            val_iter = packed_batches(cfg.data.val_glob, cfg.data.seq_len, rank, world)
            acc = torch.zeros((), device="cuda")
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                for _ in range(n_val):
                    vx, vy = next(val_iter)
                    acc += model(vx, vy, window_blocks)
            acc /= n_val
            dist.all_reduce(acc, op=dist.ReduceOp.AVG)
            if is_main:
                print(f"step {step}/{oc.total_steps} val_loss {acc.item():.4f} "
                      f"window {current_blocks * ac.block_size} train_time {clock:.1f}s")
            model.train()
            torch.cuda.synchronize()
            t0 = time.perf_counter()
        if last:
            break

        x, y = next(train_iter)
        with contextlib.ExitStack() as stack:
            if step >= cfg.runtime.skip_guards_after:
                stack.enter_context(torch.compiler.set_stance(skip_guard_eval_unsafe=True))
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = model(x, y, window_blocks)
            loss.backward()
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        opt.step()
        model.zero_grad(set_to_none=True)
        # no .item() here: keep the host from waiting on the device every step

    dist.destroy_process_group()


if __name__ == "__main__":
    main(load_config(sys.argv[1:]))
