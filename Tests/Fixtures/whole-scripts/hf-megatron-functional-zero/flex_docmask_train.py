"""
Packed-document LM training with FlexAttention.

Each GPU sees one long flat token stream per step. Attention is restricted to earlier tokens of the
same document and to a block-granular sliding window whose size grows during training; block masks
are assembled by hand from per-block document ranges (no mask_mod sweep over every (q, kv) pair).

    torchrun --nproc_per_node=8 flex_docmask_train.py
"""

import glob
import math
import os
import time
from types import SimpleNamespace

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import BlockMask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP


def _env(name, default, cast=int):
    return cast(os.environ.get(name, default))


S = SimpleNamespace(
    train_glob=os.environ.get("TRAIN_GLOB", "data/fineweb10B/fineweb_train_*.bin"),
    val_glob=os.environ.get("VAL_GLOB", "data/fineweb10B/fineweb_val_*.bin"),
    train_tokens=_env("TRAIN_TOKENS", 64 * 1024),        # one flat sequence per GPU per step
    val_tokens=_env("VAL_TOKENS", 4 * 64 * 1024),         # validation windows are 4x longer
    val_rounds=_env("VAL_ROUNDS", 10),
    steps=_env("STEPS", 1800),
    val_every=_env("VAL_EVERY", 150),
    lr=_env("LR", 8e-4, float),
    warmup=_env("WARMUP", 100),
    eot=50256,
    vocab=50257,
    dim=768,
    heads=12,
    layers=12,
    blk=128,                                               # flex block size (tokens)
    win_start=64,
    win_end=1792,
    attn_scale=0.12,
)


# ------------------------------------------------------------------------------------------------
# data: shards land in page-locked host memory, then stream to the device asynchronously


def read_shard_pinned(path: str) -> torch.Tensor:
    with open(path, "rb", buffering=0) as fh:
        header = torch.frombuffer(bytearray(fh.read(256 * 4)), dtype=torch.int32)
        assert int(header[0]) == 20240520, "bad magic"
        count = int(header[2])
        toks = torch.empty(count, dtype=torch.uint16, pin_memory=True)
        fh.seek(256 * 4)
        nread = fh.readinto(toks.numpy())
        assert nread == 2 * count
    return toks


def token_windows(pattern: str, length: int, rank: int, world: int):
    paths = sorted(glob.glob(pattern))
    shard_no, cursor = 0, rank * length
    toks = read_shard_pinned(paths[0])
    while True:
        if cursor + length + 1 > len(toks):
            shard_no = (shard_no + 1) % len(paths)
            toks, cursor = read_shard_pinned(paths[shard_no]), rank * length
        window = toks[cursor:cursor + length + 1]
        inputs = window[:-1].to(device="cuda", dtype=torch.int32, non_blocking=True)
        targets = window[1:].to(device="cuda", dtype=torch.int64, non_blocking=True)
        cursor += world * length
        yield inputs, targets


# ------------------------------------------------------------------------------------------------
# block-mask assembly


def doc_index(tokens: torch.Tensor) -> torch.Tensor:
    """Running document number of every position (a new doc starts at every EOT)."""
    return (tokens == S.eot).cumsum(0)


def dense_to_kv_lists(dense: torch.Tensor):
    """(Nq, Nkv) bool -> counts (1,1,Nq) and kv block indices (1,1,Nq,Nkv), selected blocks first."""
    n_kv = dense.size(-1)
    ar = torch.arange(n_kv, device=dense.device, dtype=torch.int32)
    keyed = torch.where(dense, ar, n_kv + ar)              # chosen blocks sort ahead of the rest
    idx = keyed.argsort(dim=-1).to(torch.int32)
    cnt = dense.sum(dim=-1, dtype=torch.int32)
    return cnt[None, None].contiguous(), idx[None, None].contiguous()


def block_masks(tokens: torch.Tensor, window_blocks: torch.Tensor, scales=(1, 2)):
    """Build one BlockMask per window scale (window_blocks // s) for a flat token stream."""
    n = tokens.numel()
    assert n % S.blk == 0
    nb = n // S.blk
    docs = doc_index(tokens)
    first_doc = docs.view(nb, S.blk)[:, 0]
    last_doc = docs.view(nb, S.blk)[:, -1]

    qb = torch.arange(nb, device=tokens.device)[:, None]
    kb = torch.arange(nb, device=tokens.device)[None, :]
    # block-level relations
    below_diag = kb < qb
    on_or_below = kb <= qb
    docs_overlap = (first_doc[:, None] <= last_doc[None, :]) & (last_doc[:, None] >= first_doc[None, :])
    one_shared_doc = (first_doc[:, None] == last_doc[:, None]) & (first_doc[None, :] == last_doc[None, :]) \
        & (first_doc[:, None] == first_doc[None, :])

    def token_rule(b, h, q_idx, kv_idx):
        # token-level check only for partially visible blocks: causal & same document
        return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])

    out = []
    for s in scales:
        w = window_blocks // s
        inside = (qb - kb) < w
        visible = on_or_below & docs_overlap & inside
        complete = below_diag & one_shared_doc & inside
        partial = visible & ~complete
        p_cnt, p_idx = dense_to_kv_lists(partial)
        f_cnt, f_idx = dense_to_kv_lists(complete)
        out.append(BlockMask.from_kv_blocks(p_cnt, p_idx, f_cnt, f_idx, BLOCK_SIZE=S.blk, mask_mod=token_rule))
    return out


def window_tokens_at(step: int) -> int:
    frac = step / S.steps
    raw = S.win_start + frac * (S.win_end - S.win_start)
    return 64 * int(raw // 64)


# ------------------------------------------------------------------------------------------------
# model


class RotaryTable(nn.Module):
    def __init__(self, head_dim, max_len, base=10000.0):
        super().__init__()
        inv = 1.0 / base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
        ang = torch.outer(torch.arange(max_len, dtype=torch.float32), inv)
        self.register_buffer("c", ang.cos().bfloat16(), persistent=False)
        self.register_buffer("s", ang.sin().bfloat16(), persistent=False)

    def forward(self, x):  # (1, T, H, D)
        T = x.size(1)
        c, s = self.c[None, :T, None, :], self.s[None, :T, None, :]
        lo, hi = x.float().chunk(2, dim=-1)
        return torch.cat((lo * c + hi * s, hi * c - lo * s), dim=-1).type_as(x)


class FlexSelfAttention(nn.Module):
    def __init__(self, dim, heads, rotary: RotaryTable):
        super().__init__()
        self.heads, self.hd = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.rotary = rotary

    def forward(self, x, bm: BlockMask):
        B, T, D = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, self.hd).unbind(2)
        q = F.rms_norm(q, (self.hd,))
        k = F.rms_norm(k, (self.hd,))
        q, k = self.rotary(q), self.rotary(k)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=bm, scale=S.attn_scale)
        return self.proj(y.transpose(1, 2).reshape(B, T, D))


class Layer(nn.Module):
    def __init__(self, dim, heads, rotary):
        super().__init__()
        self.attn = FlexSelfAttention(dim, heads, rotary)
        self.fc1 = nn.Linear(dim, 4 * dim, bias=False)
        self.fc2 = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x, bm):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)), bm)
        return x + self.fc2(F.gelu(self.fc1(F.rms_norm(x, (x.size(-1),)))))


# which of the two masks each layer uses: L = full window, S = half window
LAYER_WINDOWS = "LSSSLS" + "LSSSLS"[::-1]


class DocLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(S.vocab, S.dim)
        rotary = RotaryTable(S.dim // S.heads, max(S.train_tokens, S.val_tokens))
        self.layers = nn.ModuleList(Layer(S.dim, S.heads, rotary) for _ in range(S.layers))

    def forward(self, inputs, targets, window_blocks):
        long_bm, short_bm = block_masks(inputs, window_blocks, scales=(1, 2))
        x = self.tok(inputs)[None]
        for layer, kind in zip(self.layers, LAYER_WINDOWS):
            x = layer(x, long_bm if kind == "L" else short_bm)
        x = F.rms_norm(x, (S.dim,))
        logits = F.linear(x, self.tok.weight)
        return F.cross_entropy(logits.view(-1, S.vocab), targets)


# ------------------------------------------------------------------------------------------------
# training


def lr_mult(step):
    if step < S.warmup:
        return (step + 1) / S.warmup
    return math.sqrt(S.warmup / (step + 1))


def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    torch.manual_seed(1)

    model = DocLM().cuda()
    ddp = DDP(model, device_ids=[torch.cuda.current_device()])
    fwd = torch.compile(ddp, dynamic=False)
    opt = torch.optim.AdamW(model.parameters(), lr=S.lr, betas=(0.9, 0.95), weight_decay=0.1)
    for g in opt.param_groups:
        g["base"] = g["lr"]

    train = token_windows(S.train_glob, S.train_tokens, rank, world)
    # device-resident window size; refreshed only when the value actually changes
    win_gpu = torch.empty((), dtype=torch.int32, device="cuda")
    win_host = torch.empty((), dtype=torch.int32, pin_memory=True)
    current = None

    t0 = time.time()
    for step in range(S.steps + 1):
        nblk = math.ceil(window_tokens_at(step) / S.blk)
        if nblk != current:
            win_host.fill_(nblk)
            win_gpu.copy_(win_host, non_blocking=True)
            current = nblk

        if step % S.val_every == 0 or step == S.steps:
            model.eval()
            val = token_windows(S.val_glob, S.val_tokens, rank, world)
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                vl = sum(fwd(*next(val), win_gpu) for _ in range(S.val_rounds)) / S.val_rounds
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step {step}/{S.steps} val_loss {vl.item():.4f} window {current * S.blk} "
                      f"elapsed {time.time() - t0:.0f}s", flush=True)
            model.train()
        if step == S.steps:
            break
        if step == 5:
            torch.compiler.set_stance("eager_on_recompile")

        inputs, targets = next(train)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = fwd(inputs, targets, win_gpu)
        loss.backward()
        m = lr_mult(step)
        for g in opt.param_groups:
            g["lr"] = g["base"] * m
        opt.step()
        opt.zero_grad(set_to_none=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
