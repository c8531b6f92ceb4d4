# torchtitan-style training recipe: local/local attention with document masking,
# sparse token-value tables and a sharded orthogonal-momentum optimizer.

import glob
import math
import os
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.attention.flex_attention import BlockMask, flex_attention

BLK = 128


@dataclass
class ModelArgs:
    dim: int = 768
    n_layers: int = 12
    n_heads: int = 6
    vocab_size: int = 50304
    eot_id: int = 50256
    rope_base: float = 1024.0
    max_seq_len: int = 65536
    qk_scale: float = 0.12
    logit_cap: float = 15.0
    attn_free_layer: int = 7


def precompute_freqs_cis(head_dim: int, end: int, base: float) -> torch.Tensor:
    quarter = head_dim // 4
    rates = torch.pow(torch.tensor(1.0 / base), torch.linspace(0, 1, quarter))
    rates = torch.cat([rates, rates.new_zeros(quarter)])
    angles = torch.arange(end, dtype=torch.float32)[:, None] * rates[None, :]
    return torch.complex(angles.cos(), angles.sin())


def rope(x: torch.Tensor, freqs_cis: torch.Tensor) -> torch.Tensor:
    T = x.size(1)
    xc = torch.view_as_complex(x.float().unflatten(-1, (-1, 2)))
    return torch.view_as_real(xc * freqs_cis[None, :T, None, :]).flatten(-2).type_as(x)


class ProjLinear(nn.Linear):
    def __init__(self, fan_in: int, fan_out: int):
        super().__init__(fan_in, fan_out, bias=False)

    def reset_parameters(self):
        lim = math.sqrt(3) * 0.5 / math.sqrt(self.in_features)
        with torch.no_grad():
            self.weight.uniform_(-lim, lim)

    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


class Attention(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.n_heads = args.n_heads
        self.scale = args.qk_scale
        lim = math.sqrt(3) * 0.5 / math.sqrt(args.dim)
        self.w_in = nn.Parameter(torch.empty(3, args.dim, args.dim).uniform_(-lim, lim))
        self.v_gates = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.wo = ProjLinear(args.dim, args.dim)
        nn.init.zeros_(self.wo.weight)

    def forward(self, x, freqs_cis, table_vals, block_mask):
        B, T, D = x.shape
        q, k, v = F.linear(x, self.w_in.flatten(end_dim=1).type_as(x)).chunk(3, dim=-1)
        q, k, v = (t.view(B, T, self.n_heads, D // self.n_heads) for t in (q, k, v))
        v = self.v_gates[0] * v
        if table_vals is not None:
            v = v + self.v_gates[1] * table_vals.view_as(v)
        q, k = F.rms_norm(q, (q.size(-1),)), F.rms_norm(k, (k.size(-1),))
        q, k = rope(q, freqs_cis), rope(k, freqs_cis)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                           block_mask=block_mask, scale=self.scale)
        return self.wo(y.transpose(1, 2).reshape(B, T, D))


class FeedForward(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.w1 = ProjLinear(dim, 4 * dim)
        self.w2 = ProjLinear(4 * dim, dim)
        nn.init.zeros_(self.w2.weight)

    def forward(self, x):
        return self.w2(F.relu(self.w1(x)).square())


class TransformerBlock(nn.Module):
    def __init__(self, layer_id: int, args: ModelArgs):
        super().__init__()
        self.attention = None if layer_id == args.attn_free_layer else Attention(args)
        self.feed_forward = FeedForward(args.dim)
        self.anchor_w = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, h_embed, freqs_cis, table_vals, block_mask):
        x = self.anchor_w[0] * x + self.anchor_w[1] * h_embed
        if self.attention is not None:
            x = x + self.attention(F.rms_norm(x, (x.size(-1),)), freqs_cis, table_vals, block_mask)
        return x + self.feed_forward(F.rms_norm(x, (x.size(-1),)))


class SparseValueTables(nn.Module):
    def __init__(self, args: ModelArgs, n_tables: int = 3):
        super().__init__()
        self.emb = nn.ModuleList([nn.Embedding(args.vocab_size, args.dim) for _ in range(n_tables)])
        self.n_layers = args.n_layers

    def forward(self, tokens):
        outs = [e(tokens) for e in self.emb]
        gap = self.n_layers - 2 * len(outs)
        return outs + [None] * gap + outs   # layers 0,1,2 and 9,10,11 only


class Transformer(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.tok_embeddings = nn.Embedding(args.vocab_size, args.dim)
        self.value_tables = SparseValueTables(args)
        self.layers = nn.ModuleList([TransformerBlock(i, args) for i in range(args.n_layers)])
        self.n_enc = args.n_layers // 2
        self.skip_scale = nn.Parameter(torch.ones(args.n_layers - self.n_enc))
        self.output = ProjLinear(args.dim, args.vocab_size)
        nn.init.zeros_(self.output.weight)
        self.register_buffer("freqs_cis", precompute_freqs_cis(args.dim // args.n_heads, args.max_seq_len,
                                                              args.rope_base), persistent=False)

    def _masks(self, tokens, window_blocks):
        doc = (tokens == self.args.eot_id).cumsum(0)
        lo, hi = doc.view(-1, BLK)[:, 0], doc.view(-1, BLK)[:, -1]
        n = tokens.numel() // BLK
        idx = torch.arange(n, device=tokens.device)
        dist_blocks = idx[:, None] - idx[None, :]
        can_see = (dist_blocks >= 0) & (lo[:, None] <= hi[None, :]) & (lo[None, :] <= hi[:, None])

        def token_mod(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (doc[q_idx] == doc[kv_idx])

        def to_block_mask(w):
            dense = can_see & (dist_blocks < w)
            cnt = dense.sum(-1, dtype=torch.int32)
            order = dense.to(torch.int8).argsort(dim=-1, descending=True, stable=True).to(torch.int32)
            return BlockMask.from_kv_blocks(cnt[None, None].contiguous(), order[None, None].contiguous(),
                                            BLOCK_SIZE=BLK, mask_mod=token_mod)

        return to_block_mask(window_blocks), to_block_mask(window_blocks // 2)

    def forward(self, tokens, targets, window_blocks):
        wide, narrow = self._masks(tokens, window_blocks)
        plan = [wide, narrow, narrow, narrow, wide, narrow]
        plan = plan + plan[::-1]
        h = F.rms_norm(self.tok_embeddings(tokens)[None], (self.args.dim,))
        h_embed = h
        tables = self.value_tables(tokens)
        skips = []
        for i, layer in enumerate(self.layers):
            if i >= self.n_enc:
                h = h + self.skip_scale[i - self.n_enc] * skips.pop()
            h = layer(h, h_embed, self.freqs_cis, tables[i], plan[i])
            if i < self.n_enc:
                skips.append(h)
        logits = self.output(F.rms_norm(h, (self.args.dim,))).float()
        logits = self.args.logit_cap * torch.tanh(logits / self.args.logit_cap)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)


# -------------------------------------------------------------------------- optimizer

def batched_newton_schulz(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    swap = G.size(-2) > G.size(-1)
    if swap:
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        X = a * X + (b * A + c * A @ A) @ X
    return X.mT if swap else X


class DistOrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum, rank, world_size):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.rank, self.world_size = rank, world_size

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ps = group["params"]
            offs = np.cumsum([0] + [p.numel() for p in ps]).tolist()
            flat = torch.zeros(offs[-1], device=ps[0].device, dtype=torch.bfloat16)
            for i, p in enumerate(ps):
                if i % self.world_size == self.rank:
                    buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                    buf.mul_(group["momentum"]).add_(p.grad)
                    g = batched_newton_schulz(p.grad.add(buf, alpha=group["momentum"]))
                    g = g * max(1.0, p.size(-2) / p.size(-1)) ** 0.5
                    flat[offs[i]:offs[i + 1]] = g.reshape(-1)
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            for i, p in enumerate(ps):
                p.sub_(group["lr"] * flat[offs[i]:offs[i + 1]].view_as(p).type_as(p))


def build_optimizers(model: Transformer, cfg, rank, world_size):
    mats = [p for p in model.layers.parameters() if p.ndim >= 2]
    scalars = [p for p in model.parameters() if p.ndim < 2]
    embeds = [model.tok_embeddings.weight, *model.value_tables.parameters()]
    adam = torch.optim.Adam([dict(params=[model.output.weight], lr=cfg["lr_head"]),
                             dict(params=embeds, lr=cfg["lr_embed"]),
                             dict(params=scalars, lr=cfg["lr_scalar"])],
                            betas=(0.8, 0.95), eps=1e-10, fused=True)
    ortho = DistOrthoSGD(mats, lr=cfg["lr_matrix"], momentum=0.95, rank=rank, world_size=world_size)
    return adam, ortho


def build_lr_schedulers(optimizers, cfg):
    def fn(step):
        w = min((1 - step / cfg["steps"]) / cfg["cooldown_frac"], 1.0)
        return w + (1 - w) * 0.1
    return [torch.optim.lr_scheduler.LambdaLR(o, fn) for o in optimizers]


# -------------------------------------------------------------------------- data

def token_stream(pattern, n_tokens, rank, world):
    for f in sorted(glob.glob(pattern)):
        hdr = np.fromfile(f, dtype=np.int32, count=256)
        data = np.memmap(f, dtype=np.uint16, mode="r", offset=1024, shape=(int(hdr[2]),))
        for base in range(0, len(data) - n_tokens * world - 1, n_tokens * world):
            seg = torch.from_numpy(data[base + rank * n_tokens: base + (rank + 1) * n_tokens + 1].astype(np.int32))
            seg = seg.cuda()
            yield seg[:-1], seg[1:].long()


# -------------------------------------------------------------------------- train

def train(config):
    dist.init_process_group(backend="nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))

    model = Transformer(ModelArgs()).cuda().bfloat16()
    for m in model.modules():
        if isinstance(m, ProjLinear):
            m.float()
        if isinstance(m, Attention):
            m.w_in.data = m.w_in.data.float()
    for p in model.parameters():
        dist.broadcast(p.detach(), 0)
    adam, ortho = build_optimizers(model, config["optim"], rank, world)
    optimizers = [adam, ortho]
    schedulers = build_lr_schedulers(optimizers, config["optim"])
    compiled = torch.compile(model)

    stream = token_stream(config["train_glob"], config["seq_len"], rank, world)
    steps = config["optim"]["steps"]
    t_start = time.perf_counter()
    for step in range(steps):
        nblocks = max(1, math.ceil(1728 * step / steps / BLK))
        window_blocks = torch.tensor(nblocks, dtype=torch.int32, device="cuda")
        tokens, targets = next(stream)
        loss = compiled(tokens, targets, window_blocks)
        loss.backward()
        for p in model.parameters():
            dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
        ramp = min(step / 300, 1)
        ortho.param_groups[0]["momentum"] = (1 - ramp) * 0.85 + ramp * 0.95
        for opt, sch in zip(optimizers, schedulers):
            opt.step()
            sch.step()
        model.zero_grad(set_to_none=True)
        if rank == 0 and step % config["log_every"] == 0:
            print(f"step={step} loss={loss.item():.4f} wall={time.perf_counter() - t_start:.1f}s")
    dist.destroy_process_group()


if __name__ == "__main__":
    train(dict(
        train_glob=os.environ.get("TRAIN_GLOB", "fineweb10B/fineweb_train_*.bin"),
        seq_len=64 * 1024,
        log_every=1,
        optim=dict(steps=1393, cooldown_frac=0.4, lr_head=0.008, lr_embed=0.6, lr_scalar=0.04, lr_matrix=0.05),
    ))
