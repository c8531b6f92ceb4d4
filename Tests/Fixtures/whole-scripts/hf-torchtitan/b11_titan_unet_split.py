# torchtitan-style single-file recipe: document-masked local attention with a growing
# window, mirrored per-layer value tables and a rank-sharded orthogonal optimizer.

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
from torch.nn.attention.flex_attention import create_block_mask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP


@dataclass
class ModelArgs:
    dim: int = 768
    n_layers: int = 12
    n_heads: int = 6
    vocab_size: int = 50304
    eos_id: int = 50256
    rope_theta: float = 10000.0
    max_seq_len: int = 65536
    softcap: float = 30.0


def precompute_freqs_cis(dim: int, end: int, theta: float) -> torch.Tensor:
    freqs = 1.0 / (theta ** (torch.arange(0, dim, 2)[: dim // 2].float() / dim))
    t = torch.arange(end, device=freqs.device, dtype=torch.float32)
    freqs = torch.outer(t, freqs)
    return torch.polar(torch.ones_like(freqs), freqs)


def apply_rotary(xq, xk, freqs_cis):
    fc = freqs_cis[: xq.shape[1]].view(1, xq.shape[1], 1, -1)
    xq_ = torch.view_as_complex(xq.float().reshape(*xq.shape[:-1], -1, 2))
    xk_ = torch.view_as_complex(xk.float().reshape(*xk.shape[:-1], -1, 2))
    return (torch.view_as_real(xq_ * fc).flatten(3).type_as(xq),
            torch.view_as_real(xk_ * fc).flatten(3).type_as(xk))


class F32Linear(nn.Linear):
    """Parameters stay fp32 while the rest of the model is bf16; cast on use."""

    def __init__(self, din, dout):
        super().__init__(din, dout, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(dtype=x.dtype))


class Attention(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.n_heads = args.n_heads
        self.head_dim = args.dim // args.n_heads
        self.wq = F32Linear(args.dim, args.dim)
        self.wk = F32Linear(args.dim, args.dim)
        self.wv = F32Linear(args.dim, args.dim)
        self.wo = F32Linear(args.dim, args.dim)
        self.alpha = nn.Parameter(torch.full((2,), 0.5))   # [own value weight, table weight]

    def forward(self, x, freqs_cis, table, block_mask):
        bs, seqlen, _ = x.shape
        xq = self.wq(x).view(bs, seqlen, self.n_heads, self.head_dim)
        xk = self.wk(x).view(bs, seqlen, self.n_heads, self.head_dim)
        xv = self.wv(x).view(bs, seqlen, self.n_heads, self.head_dim)
        xv = self.alpha[0] * xv + self.alpha[1] * table.view_as(xv)
        xq, xk = F.rms_norm(xq, (self.head_dim,)), F.rms_norm(xk, (self.head_dim,))
        xq, xk = apply_rotary(xq, xk, freqs_cis)
        out = flex_attention(xq.transpose(1, 2), xk.transpose(1, 2), xv.transpose(1, 2), block_mask=block_mask)
        return self.wo(out.transpose(1, 2).contiguous().view(bs, seqlen, -1))


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.w1 = F32Linear(dim, 4 * dim)
        self.w2 = F32Linear(4 * dim, dim)

    def forward(self, x):
        return self.w2(F.relu(self.w1(x)).square())


class TransformerBlock(nn.Module):
    def __init__(self, layer_id, args):
        super().__init__()
        self.layer_id = layer_id
        self.attention = Attention(args)
        self.feed_forward = FeedForward(args.dim)
        self.mix_in = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, first_h, freqs_cis, table, block_mask):
        x = self.mix_in[0] * x + self.mix_in[1] * first_h
        x = x + self.attention(F.rms_norm(x, (x.size(-1),)), freqs_cis, table, block_mask)
        return x + self.feed_forward(F.rms_norm(x, (x.size(-1),)))

    def init_weights(self):
        nn.init.zeros_(self.attention.wo.weight)
        nn.init.zeros_(self.feed_forward.w2.weight)


class ValueTables(nn.Module):
    def __init__(self, args, n=6):
        super().__init__()
        self.tables = nn.ModuleList(nn.Embedding(args.vocab_size, args.dim) for _ in range(n))

    def forward(self, tokens):
        out = [t(tokens) for t in self.tables]
        return out + list(reversed(out))


class Transformer(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.tok_embeddings = nn.Embedding(args.vocab_size, args.dim)
        self.value_tables = ValueTables(args, n=args.n_layers // 2)
        self.layers = nn.ModuleList(TransformerBlock(i, args) for i in range(args.n_layers))
        self.skip_weights = nn.Parameter(torch.ones(args.n_layers // 2))
        self.output = F32Linear(args.dim, args.vocab_size)
        self.register_buffer("freqs_cis", precompute_freqs_cis(args.dim // args.n_heads, args.max_seq_len,
                                                              args.rope_theta), persistent=False)
        for layer in self.layers:
            layer.init_weights()
        nn.init.zeros_(self.output.weight)

    def forward(self, tokens, targets, window):
        docs = torch.cumsum(tokens.eq(self.args.eos_id).int(), 0)

        def mask_mod(b, h, q_idx, kv_idx):
            causal = q_idx >= kv_idx
            same_doc = docs[q_idx] == docs[kv_idx]
            local = q_idx - kv_idx < window
            return causal & same_doc & local

        L = tokens.numel()
        block_mask = create_block_mask(mask_mod, None, None, L, L, device=tokens.device, _compile=True)
        h = F.rms_norm(self.tok_embeddings(tokens)[None], (self.args.dim,))
        first_h = h
        tables = self.value_tables(tokens[None])
        n_half = self.args.n_layers // 2
        kept = []
        for i in range(n_half):
            h = self.layers[i](h, first_h, self.freqs_cis, tables[i], block_mask)
            kept.append(h)
        for i in range(n_half, self.args.n_layers):
            h = h + self.skip_weights[i - n_half] * kept.pop()
            h = self.layers[i](h, first_h, self.freqs_cis, tables[i], block_mask)
        logits = self.output(F.rms_norm(h, (self.args.dim,)))
        logits = self.args.softcap * torch.tanh(logits / self.args.softcap)
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets)


# --------------------------------------------------------------------- optimizers

def orthogonalize(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    return X.T if G.size(0) > G.size(1) else X


class ShardedOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum, rank, world_size):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.rank, self.world_size = rank, world_size

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group["params"]
            sizes = [p.numel() for p in params]
            updates = torch.zeros(sum(sizes), device=params[0].device, dtype=torch.bfloat16)
            offset = 0
            for i, p in enumerate(params):
                if i % self.world_size == self.rank:
                    st = self.state[p]
                    if "mom" not in st:
                        st["mom"] = torch.zeros_like(p.grad)
                    st["mom"].mul_(group["momentum"]).add_(p.grad)
                    g = p.grad.add(st["mom"], alpha=group["momentum"])
                    u = orthogonalize(g) * math.sqrt(max(p.size(0), p.size(1)) / p.size(1))
                    updates[offset:offset + sizes[i]].copy_(u.view(-1))
                offset += sizes[i]
            dist.all_reduce(updates, op=dist.ReduceOp.SUM)
            offset = 0
            for p, n in zip(params, sizes):
                p.add_(updates[offset:offset + n].view_as(p).type_as(p), alpha=-group["lr"])
                offset += n


def build_optimizers(model, cfg, rank, world):
    layer_params = list(model.layers.parameters())
    adam = torch.optim.Adam(
        [dict(params=[model.tok_embeddings.weight, *model.value_tables.parameters()], lr=cfg["lr_embed"]),
         dict(params=[model.output.weight], lr=cfg["lr_head"]),
         dict(params=[p for p in layer_params if p.ndim < 2] + [model.skip_weights], lr=cfg["lr_scalar"])],
        betas=(0.8, 0.95), fused=True)
    ortho = ShardedOrtho([p for p in layer_params if p.ndim == 2], lr=cfg["lr_matrix"], momentum=0.95,
                         rank=rank, world_size=world)
    return [adam, ortho]


def build_lr_schedulers(optimizers, cfg):
    steps, warm, cool = cfg["steps"], cfg["warmup_steps"], cfg["cooldown_steps"]

    def fn(step):
        if step < warm:                      # warm up from 10% of the peak rate
            return 0.1 + 0.9 * step / warm
        if step < steps - cool:
            return 1.0
        return (steps - step) / cool         # linear cooldown to zero
    return [torch.optim.lr_scheduler.LambdaLR(o, fn) for o in optimizers]


# --------------------------------------------------------------------- train

def data_iter(pattern, seq_len, rank, world):
    for path in sorted(glob.glob(pattern)):
        n = int(np.fromfile(path, dtype=np.int32, count=256)[2])
        toks = np.memmap(path, dtype=np.uint16, mode="r", offset=1024, shape=(n,))
        for s in range(0, n - seq_len * world - 1, seq_len * world):
            piece = torch.from_numpy(np.array(toks[s + rank * seq_len: s + (rank + 1) * seq_len + 1], dtype=np.int64))
            piece = piece.cuda(non_blocking=True)
            yield piece[:-1], piece[1:]


def train(config):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))

    model = Transformer(ModelArgs()).cuda().bfloat16()
    for m in model.modules():
        if isinstance(m, F32Linear):
            m.float()
    optimizers = build_optimizers(model, config["optim"], rank, world)
    schedulers = build_lr_schedulers(optimizers, config["optim"])
    model_c = DDP(torch.compile(model), device_ids=[torch.cuda.current_device()],
                  broadcast_buffers=False, gradient_as_bucket_view=True)

    it = data_iter(config["data"], config["seq_len"], rank, world)
    total = config["optim"]["steps"]
    t0 = time.perf_counter()
    for step in range(total):
        span = 64 + (1792 - 64) * step / total
        window = torch.tensor(64 * int(span // 64), dtype=torch.int32, device="cuda")
        tokens, targets = next(it)
        loss = model_c(tokens, targets, window)
        loss.backward()
        frac = min(step / 300, 1)
        for g in optimizers[1].param_groups:
            g["momentum"] = (1 - frac) * 0.85 + frac * 0.95
        for opt, sch in zip(optimizers, schedulers):
            opt.step()
            sch.step()
        model.zero_grad(set_to_none=True)
        if rank == 0 and step % config["log_freq"] == 0:
            print(f"step {step:5d} | loss {loss.item():.4f} | window {int(window)} | {time.perf_counter() - t0:.1f}s")
    dist.destroy_process_group()


if __name__ == "__main__":
    train(dict(
        data=os.environ.get("TRAIN_FILES", "data/fineweb_train_*.bin"),
        seq_len=64 * 1024,
        log_freq=1,
        optim=dict(steps=1750, warmup_steps=100, cooldown_steps=700,
                   lr_embed=0.6, lr_head=0.008, lr_scalar=0.04, lr_matrix=0.04),
    ))
