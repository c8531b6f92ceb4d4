# Research code: packed-document GPT with hand-assembled FlexAttention block masks.
# Shapes are annotated einops-style everywhere: b=batch, t=time, h=heads, d=head dim, n=blocks.
import glob
import os
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F
from einops import rearrange, reduce, repeat
from torch.nn.attention.flex_attention import BlockMask, flex_attention

EOT = 50256
BLK = 128
SEQ = 64 * 1024          # one packed stream per GPU
D_MODEL, N_HEAD, DEPTH, VOCAB = 768, 12, 12, 50257
STEPS, WARMUP, COOLDOWN = 2000, 30, 0.4
MAX_WINDOW = 1792

flex = torch.compile(flex_attention, dynamic=False)


# ------------------------------------------------------------------ rotary (einops)
class Rotary(nn.Module):
    def __init__(self, d, max_t=SEQ, base=10000.0):
        super().__init__()
        inv = base ** -(torch.arange(0, d, 2).float() / d)
        ang = torch.einsum("t,f->tf", torch.arange(max_t).float(), inv)
        self.register_buffer("cos", rearrange(ang.cos(), "t f -> 1 1 t f"), persistent=False)
        self.register_buffer("sin", rearrange(ang.sin(), "t f -> 1 1 t f"), persistent=False)

    def forward(self, x):  # b h t d
        t = x.shape[-2]
        c, s = self.cos[..., :t, :].to(x.dtype), self.sin[..., :t, :].to(x.dtype)
        x1, x2 = rearrange(x, "b h t (two f) -> two b h t f", two=2)
        return torch.cat([x1 * c + x2 * s, x2 * c - x1 * s], dim=-1)


# ------------------------------------------------------------------ block masks
def kv_lists(dense, recency):
    """dense: n n bool -> (count, indices) ordered nearest-first so clamping keeps the closest blocks."""
    counts = reduce(dense.int(), "q k -> q", "sum").int()
    order = torch.argsort(dense.int() * recency, dim=-1, descending=True).int()
    return rearrange(counts, "q -> 1 1 q").contiguous(), rearrange(order, "q k -> 1 1 q k").contiguous()


def make_block_masks(tokens, window_blocks):
    doc = (tokens == EOT).cumsum(0)

    def causal_same_doc(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (doc[q_idx] == doc[kv_idx])

    n = tokens.numel() // BLK
    ids = torch.arange(n, device=tokens.device)
    per_block = rearrange(doc, "(n k) -> n k", k=BLK)
    lo, hi = per_block[:, 0], per_block[:, -1]
    q_ids, k_ids = rearrange(ids, "n -> n 1"), rearrange(ids, "n -> 1 n")
    any_causal, strict_causal = q_ids >= k_ids, q_ids > k_ids
    overlaps = (rearrange(lo, "n -> n 1") <= rearrange(hi, "n -> 1 n")) & \
               (rearrange(hi, "n -> n 1") >= rearrange(lo, "n -> 1 n"))
    single_doc = (rearrange(lo, "n -> n 1") == rearrange(hi, "n -> 1 n")) & \
                 (rearrange(hi, "n -> n 1") == rearrange(lo, "n -> 1 n"))
    full = strict_causal & single_doc
    partial_ = any_causal & overlaps & ~full
    recency = repeat(ids + 1, "k -> q k", q=n)
    p_cnt, p_idx = kv_lists(partial_, recency)
    f_cnt, f_idx = kv_lists(full, recency)

    def assemble(wb):
        return BlockMask.from_kv_blocks(
            torch.clamp_max(p_cnt, torch.clamp_min(wb - f_cnt, 1)), p_idx,
            torch.clamp_max(f_cnt, wb - 1), f_idx,
            BLOCK_SIZE=BLK, mask_mod=causal_same_doc)

    return assemble(window_blocks), assemble(window_blocks // 2)


# ------------------------------------------------------------------ model
class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.to_qkv = nn.Linear(D_MODEL, 3 * D_MODEL, bias=False)
        self.to_out = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.rotary = Rotary(D_MODEL // N_HEAD)

    def forward(self, x, block_mask):
        q, k, v = self.to_qkv(x).chunk(3, dim=-1)
        # normalise the full query / key vectors, then split into heads
        q, k = F.rms_norm(q, (D_MODEL,)), F.rms_norm(k, (D_MODEL,))
        q, k, v = (rearrange(z, "b t (h d) -> b h t d", h=N_HEAD) for z in (q, k, v))
        q, k = self.rotary(q), self.rotary(k)
        o = flex(q, k, v, block_mask=block_mask)
        return self.to_out(rearrange(o, "b h t d -> b t (h d)"))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = Attention()
        self.ff = nn.Sequential(nn.Linear(D_MODEL, 4 * D_MODEL, bias=False), nn.GELU(),
                                nn.Linear(4 * D_MODEL, D_MODEL, bias=False))

    def forward(self, x, bm):
        x = x + self.attn(F.rms_norm(x, (D_MODEL,)), bm)
        return x + self.ff(F.rms_norm(x, (D_MODEL,)))


class PackedGPT(nn.Module):
    LAYOUT = "LSSSLS" + "SLSSSL"   # long / short window per layer

    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, D_MODEL)
        # per-layer "value" bank: looked up from the tokens and injected into the residual stream
        self.value_embed = nn.Embedding(VOCAB, DEPTH * D_MODEL)
        self.value_gain = nn.Parameter(torch.full((DEPTH,), 0.1))
        self.blocks = nn.ModuleList(Block() for _ in range(DEPTH))
        self.lm_head = nn.Linear(D_MODEL, VOCAB, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, tokens, targets, window_blocks):
        long_bm, short_bm = make_block_masks(tokens, window_blocks)
        x = rearrange(self.wte(tokens), "t c -> 1 t c")
        banks = rearrange(self.value_embed(tokens), "t (l c) -> l 1 t c", l=DEPTH)
        for i, blk in enumerate(self.blocks):
            x = x + self.value_gain[i] * banks[i]
            x = blk(x, long_bm if self.LAYOUT[i] == "L" else short_bm)
        logits = self.lm_head(F.rms_norm(x, (D_MODEL,)))
        return F.cross_entropy(rearrange(logits, "1 t v -> t v"), targets)


# ------------------------------------------------------------------ optimizer
def zeroth_power(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    if G.size(0) > G.size(1):
        X = rearrange(X, "m n -> n m")
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = torch.einsum("ik,jk->ij", X, X)
        AX = A @ X
        X = a * X + b * AX + c * (A @ AX)
    if G.size(0) > G.size(1):
        X = rearrange(X, "n m -> m n")
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.04, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            for p in grp["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(grp["momentum"]).add_(p.grad)
                p.add_(zeroth_power(p.grad + grp["momentum"] * buf).type_as(p), alpha=-grp["lr"])


# ------------------------------------------------------------------ data
def read_shard(path):
    header = torch.from_file(path, False, 256, dtype=torch.int32)
    n = int(header[2])
    buf = torch.empty(n, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as fh:
        fh.seek(1024)
        got = fh.readinto(buf.numpy())
    assert got == 2 * n
    return buf


def packed_stream(pattern, rank, world):
    for path in sorted(glob.glob(pattern)):
        toks, cursor = read_shard(path), 0
        while cursor + world * SEQ + 1 < len(toks):
            piece = toks[cursor + rank * SEQ: cursor + (rank + 1) * SEQ + 1]
            yield (piece[:-1].to("cuda", dtype=torch.int32, non_blocking=True),
                   piece[1:].to("cuda", dtype=torch.int64, non_blocking=True))
            cursor += world * SEQ


def lr_shape(step):
    if step < WARMUP:
        return (step + 1) / WARMUP
    left = 1 - step / STEPS
    return min(left / COOLDOWN, 1.0)


def main():
    rank, world = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    model = PackedGPT().cuda()
    mats = [p for p in model.blocks.parameters() if p.ndim == 2]
    rest = [p for p in model.parameters() if all(p is not m for m in mats)]
    opts = [torch.optim.Adam(rest, lr=0.008, betas=(0.9, 0.95)), Muon(mats)]
    scheds = [torch.optim.lr_scheduler.LambdaLR(o, lr_shape) for o in opts]
    fwd = torch.compile(model, dynamic=False)
    stream = packed_stream("data/fineweb10B/fineweb_train_*.bin", rank, world)

    window_blocks = torch.ones((), dtype=torch.int32, device="cuda")
    current = None
    for step in range(STEPS):
        wanted = max(1, -(-int(MAX_WINDOW * step / STEPS) // BLK))  # ceil to whole blocks
        if wanted != current:
            window_blocks.copy_(torch.tensor(wanted, dtype=torch.int32, pin_memory=True), non_blocking=True)
            current = wanted
        x, y = next(stream)
        fwd(x, y, window_blocks).backward()
        for o, s in zip(opts, scheds):
            o.step()
            s.step()
        model.zero_grad(set_to_none=True)
        if rank == 0 and step % 250 == 0:
            print(f"step {step}/{STEPS} window={current * BLK}")


if __name__ == "__main__":
    main()
