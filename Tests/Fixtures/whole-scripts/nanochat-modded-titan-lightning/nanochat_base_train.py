"""
nanochat-style base pretraining, model + loop in one file.

    torchrun --standalone --nproc_per_node=8 nanochat_base_train.py --depth=12

Model is a GPT with rotary positions, norm'd queries/keys, squared-relu MLP and
an untied unembedding whose logits get a soft ceiling. Matrices train with Muon,
the embedding and unembedding train with AdamW.
"""
import os
import sys
import math
import time
import argparse
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist


# -----------------------------------------------------------------------------
# gpt.py

@dataclass
class GPTConfig:
    sequence_len: int = 2048
    vocab_size: int = 65536
    n_layer: int = 12
    n_head: int = 6
    n_embd: int = 768


def rmsnorm(x):
    # parameter-free RMSNorm over the last dim
    return F.rms_norm(x, (x.size(-1),))


def rotate(x, cos, sin):
    # x: (B, T, H, D); cos/sin: (1, T, 1, D/2)
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    out_a = a * cos + b * sin
    out_b = b * cos - a * sin
    return torch.cat((out_a, out_b), dim=-1).type_as(x)


class SelfAttention(nn.Module):
    def __init__(self, cfg: GPTConfig, layer_idx: int):
        super().__init__()
        self.layer_idx = layer_idx
        self.n_head = cfg.n_head
        self.head_dim = cfg.n_embd // cfg.n_head   # 768 / 6 = 128 wide heads
        self.c_q = nn.Linear(cfg.n_embd, cfg.n_embd, bias=False)
        self.c_k = nn.Linear(cfg.n_embd, cfg.n_embd, bias=False)
        self.c_v = nn.Linear(cfg.n_embd, cfg.n_embd, bias=False)
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=False)

    def forward(self, x, cos_sin):
        B, T, C = x.shape
        q = self.c_q(x).view(B, T, self.n_head, self.head_dim)
        k = self.c_k(x).view(B, T, self.n_head, self.head_dim)
        v = self.c_v(x).view(B, T, self.n_head, self.head_dim)
        cos, sin = cos_sin
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        q, k = rmsnorm(q), rmsnorm(k)  # per-head norm on the head dim
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class FeedForward(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=False)
        self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=False)

    def forward(self, x):
        h = self.c_fc(x)
        h = torch.relu(h).pow(2)
        return self.c_proj(h)


class Block(nn.Module):
    def __init__(self, cfg, layer_idx):
        super().__init__()
        self.attn = SelfAttention(cfg, layer_idx)
        self.mlp = FeedForward(cfg)

    def forward(self, x, cos_sin):
        x = x + self.attn(rmsnorm(x), cos_sin)
        x = x + self.mlp(rmsnorm(x))
        return x


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.config = cfg
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg.vocab_size, cfg.n_embd),
            h=nn.ModuleList([Block(cfg, i) for i in range(cfg.n_layer)]),
        ))
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        # rotary tables; over-allocate so eval on longer sequences still works
        self.rotary_seq_len = cfg.sequence_len * 8
        head_dim = cfg.n_embd // cfg.n_head
        cos, sin = self._rotary_tables(self.rotary_seq_len, head_dim)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def _rotary_tables(self, seq_len, head_dim, base=10000.0):
        ch = torch.arange(0, head_dim, 2, dtype=torch.float32)
        inv_freq = 1.0 / (base ** (ch / head_dim))
        pos = torch.arange(seq_len, dtype=torch.float32)
        ang = torch.outer(pos, inv_freq)
        cos, sin = ang.cos().bfloat16(), ang.sin().bfloat16()
        return cos[None, :, None, :], sin[None, :, None, :]

    @torch.no_grad()
    def init_weights(self):
        self.apply(self._init_module)
        # unembedding starts at exactly zero -> uniform initial predictions
        self.lm_head.weight.zero_()
        d = self.config.n_embd
        for block in self.transformer.h:
            block.attn.c_proj.weight.normal_(0.0, 0.02 / math.sqrt(2 * self.config.n_layer))
            block.mlp.c_proj.weight.normal_(0.0, 0.02 / math.sqrt(2 * self.config.n_layer))
        self.transformer.wte.weight.normal_(0.0, 1.0)

    def _init_module(self, m):
        if isinstance(m, nn.Linear):
            fan_out, fan_in = m.weight.shape
            std = 1.0 / math.sqrt(fan_in) * min(1.0, math.sqrt(fan_out / fan_in))
            nn.init.normal_(m.weight, 0.0, std)

    def setup_optimizers(self, unembedding_lr=0.004, embedding_lr=0.2, matrix_lr=0.02, weight_decay=0.01):
        d = self.config.n_embd
        # AdamW lrs are tuned at d=768 and rescaled by 1/sqrt(d/768) for other widths
        dim_scale = (d / 768) ** -0.5
        adam_groups = [
            dict(params=[self.lm_head.weight], lr=unembedding_lr * dim_scale),
            dict(params=[self.transformer.wte.weight], lr=embedding_lr * dim_scale),
        ]
        adamw = torch.optim.AdamW(adam_groups, betas=(0.9, 0.95), eps=1e-8, weight_decay=weight_decay)
        matrices = [p for p in self.transformer.h.parameters()]
        muon = Muon(matrices, lr=matrix_lr, momentum=0.95)
        opts = [adamw, muon]
        for opt in opts:
            for g in opt.param_groups:
                g["initial_lr"] = g["lr"]
        return opts

    def forward(self, idx, targets=None, loss_reduction="mean"):
        B, T = idx.shape
        cos_sin = (self.cos[:, :T], self.sin[:, :T])
        x = rmsnorm(self.transformer.wte(idx))  # normalize straight out of the table
        for block in self.transformer.h:
            x = block(x, cos_sin)
        x = rmsnorm(x)
        logits = self.lm_head(x)
        ceiling = 15.0
        logits = ceiling * torch.tanh(logits * (1.0 / ceiling))
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                               ignore_index=-1, reduction=loss_reduction)


# -----------------------------------------------------------------------------
# muon.py

def orthogonalize(G, steps=5, eps=1e-7):
    """Quintic Newton-Schulz towards the nearest semi-orthogonal matrix."""
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.T
    X = X / (X.norm() + eps)
    for _ in range(steps):
        A = X @ X.T
        AX = A @ X
        X = a * X + b * AX + c * (A @ AX)
    if tall:
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                st = self.state[p]
                if "momentum_buffer" not in st:
                    st["momentum_buffer"] = torch.zeros_like(g)
                buf = st["momentum_buffer"]
                buf.mul_(group["momentum"]).add_(g)
                g = g.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                u = orthogonalize(g, steps=group["ns_steps"])
                rows, cols = p.shape[-2], p.shape[-1]
                p.add_(u.type_as(p), alpha=-group["lr"] * max(1.0, rows / cols) ** 0.5)


# -----------------------------------------------------------------------------
# base_train.py

parser = argparse.ArgumentParser()
parser.add_argument("--depth", type=int, default=12)
parser.add_argument("--device_batch_size", type=int, default=24)
parser.add_argument("--total_batch_size", type=int, default=393216)
parser.add_argument("--num_iterations", type=int, default=5000)
parser.add_argument("--warmup_iters", type=int, default=200)
parser.add_argument("--warmdown_ratio", type=float, default=0.2)
parser.add_argument("--final_lr_frac", type=float, default=0.0)
parser.add_argument("--eval_every", type=int, default=250)
args = parser.parse_args()

ddp = int(os.environ.get("RANK", -1)) != -1
if ddp:
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
else:
    rank, world, local_rank = 0, 1, 0
device = torch.device("cuda", local_rank)
master = rank == 0
autocast = torch.amp.autocast(device_type="cuda", dtype=torch.bfloat16)

model_dim = args.depth * 64
num_heads = max(1, (model_dim + 127) // 128)
cfg = GPTConfig(sequence_len=2048, n_layer=args.depth, n_head=num_heads, n_embd=model_dim)
with torch.device("meta"):
    model = GPT(cfg)
model.to_empty(device=device)
model.init_weights()
orig_model = model
model = torch.compile(model, dynamic=False)
if ddp:
    from torch.nn.parallel import DistributedDataParallel as DDP
    model = DDP(model, device_ids=[local_rank])
adamw, muon = orig_model.setup_optimizers()
optimizers = [adamw, muon]

tokens_per_fwdbwd = args.device_batch_size * cfg.sequence_len * world
grad_accum = args.total_batch_size // tokens_per_fwdbwd


def lr_multiplier(it):
    warmdown_iters = round(args.warmdown_ratio * args.num_iterations)
    if it < args.warmup_iters:
        return (it + 1) / args.warmup_iters
    if it <= args.num_iterations - warmdown_iters:
        return 1.0
    progress = (args.num_iterations - it) / warmdown_iters
    return progress * 1.0 + (1 - progress) * args.final_lr_frac


def muon_momentum(it):
    ramp = min(it / 500, 1.0)
    return 0.85 + ramp * (0.95 - 0.85)


def token_stream(split, B, T):
    from nanochat_data import parquet_token_batches  # local helper, yields int tensors
    for chunk in parquet_token_batches(split, B * T + 1, rank=rank, world=world):
        buf = chunk.to(device, non_blocking=True)
        yield buf[:-1].view(B, T).long(), buf[1:].view(B, T).long()


train_iter = token_stream("train", args.device_batch_size, cfg.sequence_len)
x, y = next(train_iter)
t0 = time.time()
for step in range(args.num_iterations + 1):
    last = step == args.num_iterations
    if step % args.eval_every == 0 or last:
        model.eval()
        val_iter = token_stream("val", args.device_batch_size, cfg.sequence_len)
        tot = 0.0
        with torch.no_grad():
            for _ in range(20):
                vx, vy = next(val_iter)
                with autocast:
                    tot += model(vx, vy).item()
        if master:
            print(f"step {step:05d} | val loss {tot / 20:.4f}")
        model.train()
    if last:
        break

    for micro in range(grad_accum):
        with autocast:
            loss = model(x, y)
        if ddp:
            model.require_backward_grad_sync = micro == grad_accum - 1
        (loss / grad_accum).backward()
        x, y = next(train_iter)

    mult = lr_multiplier(step)
    for opt in optimizers:
        for g in opt.param_groups:
            g["lr"] = g["initial_lr"] * mult
    for g in muon.param_groups:
        g["momentum"] = muon_momentum(step)
    for opt in optimizers:
        opt.step()
    model.zero_grad(set_to_none=True)
    if master and step % 20 == 0:
        dt = time.time() - t0
        print(f"step {step:05d} | loss {loss.item():.4f} | lrm {mult:.3f} | {dt:.1f}s")

if ddp:
    dist.destroy_process_group()
