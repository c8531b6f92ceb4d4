#!/usr/bin/env python
# coding=utf-8
"""
Pretrain a GPT-2 small from scratch with Hugging Face `transformers`, but with the
architecture surgically modified at runtime (monkey patches) instead of forking
modeling_gpt2.py. Patches applied:

  * learned absolute positions removed, rotary embeddings inside attention
  * queries / keys RMS-normalized per head
  * fewer, wider heads
  * ReLU^2 MLP swapped into every block, zero-initialized output projections
  * tanh soft-capped logits, separate (untied) output head
  * matrix parameters trained with an orthogonalized-momentum optimizer

Launch: torchrun --standalone --nproc_per_node=8 hf_gpt2_patched.py --data_dir ./fineweb10B
"""

import argparse
import glob
import math
import os
import types

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

import transformers
from transformers import GPT2Config, GPT2LMHeadModel, get_cosine_schedule_with_warmup
from transformers.models.gpt2 import modeling_gpt2
from transformers.models.gpt2.modeling_gpt2 import GPT2Attention, GPT2Block

transformers.logging.set_verbosity_error()


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--data_dir", type=str, default="./fineweb10B")
    p.add_argument("--per_device_train_batch_size", type=int, default=8)
    p.add_argument("--gradient_accumulation_steps", type=int, default=4)
    p.add_argument("--block_size", type=int, default=1024)
    p.add_argument("--max_train_steps", type=int, default=6000)
    p.add_argument("--num_warmup_steps", type=int, default=250)
    p.add_argument("--adam_lr", type=float, default=4e-3)
    p.add_argument("--ortho_lr", type=float, default=0.05)
    p.add_argument("--eval_steps", type=int, default=500)
    p.add_argument("--eval_batches", type=int, default=40)
    p.add_argument("--softcap", type=float, default=15.0)
    return p.parse_args()


# ---------------------------------------------------------------------------
# Patch 1: positions. GPT2Model adds wpe(position_ids) to the token embeddings;
# we swap wpe for a module that contributes nothing, and rotate q/k instead.

class NoPositionalEmbedding(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.n_embd = n_embd

    def forward(self, position_ids):
        return torch.zeros(*position_ids.shape, self.n_embd, device=position_ids.device)


class RotaryTable(nn.Module):
    """Precomputed fp32 cos/sin for every position we will ever see."""

    def __init__(self, head_dim, max_positions=65536, base=10000.0):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        ang = torch.outer(torch.arange(max_positions, dtype=torch.float32), inv_freq)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def forward(self, x):  # x: (B, T, H, D)
        T = x.size(1)
        cos = self.cos[None, :T, None, :]
        sin = self.sin[None, :T, None, :]
        x1, x2 = x.float().chunk(2, dim=-1)
        return torch.cat((x1 * cos + x2 * sin, x2 * cos - x1 * sin), dim=-1).type_as(x)


# ---------------------------------------------------------------------------
# Patch 2: attention. Replaces GPT2Attention.forward / _attn for the whole class.

def _patched_attn(self, query, key, value, attention_mask=None, head_mask=None):
    out = F.scaled_dot_product_attention(query, key, value, is_causal=True)
    return out, None


def _patched_attention_forward(self, hidden_states, *args, **kwargs):
    B, T, C = hidden_states.shape
    qkv = self.c_attn(hidden_states)
    q, k, v = qkv.split(self.split_size, dim=2)
    q = q.view(B, T, self.num_heads, self.head_dim)
    k = k.view(B, T, self.num_heads, self.head_dim)
    v = v.view(B, T, self.num_heads, self.head_dim)
    q = F.rms_norm(q, (self.head_dim,))
    k = F.rms_norm(k, (self.head_dim,))
    q, k = self.rotary(q), self.rotary(k)
    y, _ = self._attn(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
    y = y.transpose(1, 2).reshape(B, T, C)
    return self.c_proj(y)


def _patched_block_forward(self, hidden_states, *args, **kwargs):
    hidden_states = hidden_states + self.attn(self.ln_1(hidden_states))
    hidden_states = hidden_states + self.mlp(self.ln_2(hidden_states))
    return (hidden_states,)


GPT2Attention._attn = _patched_attn
GPT2Attention.forward = _patched_attention_forward
GPT2Block.forward = _patched_block_forward


# ---------------------------------------------------------------------------
# Patch 3: MLP and norms swapped per block.

class ReluSquaredMLP(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=False)
        self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=False)

    def forward(self, x):
        return self.c_proj(torch.relu(self.c_fc(x)).pow(2))


class ParameterFreeRMSNorm(nn.Module):
    def forward(self, x):
        return F.rms_norm(x, (x.size(-1),))


def patch_model(model: GPT2LMHeadModel) -> GPT2LMHeadModel:
    cfg = model.config
    head_dim = cfg.n_embd // cfg.n_head
    rotary = RotaryTable(head_dim)
    model.transformer.wpe = NoPositionalEmbedding(cfg.n_embd)
    model.transformer.ln_f = ParameterFreeRMSNorm()
    for block in model.transformer.h:
        block.ln_1 = ParameterFreeRMSNorm()
        block.ln_2 = ParameterFreeRMSNorm()
        attn = block.attn
        attn.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=False)
        attn.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=False)
        attn.rotary = rotary
        block.mlp = ReluSquaredMLP(cfg.n_embd)
        with torch.no_grad():
            attn.c_proj.weight.zero_()
            block.mlp.c_proj.weight.zero_()
    model.forward = types.MethodType(_softcapped_lm_forward, model)
    return model


# ---------------------------------------------------------------------------
# Patch 4: LM head forward with tanh soft cap.

def _softcapped_lm_forward(self, input_ids, labels=None, return_logits=False):
    hidden = self.transformer(input_ids=input_ids, use_cache=False)[0]
    logits = self.lm_head(hidden)
    cap = self.config.logit_softcap
    logits = cap * torch.tanh(logits / cap)
    if labels is None or return_logits:
        return logits
    return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))


# ---------------------------------------------------------------------------
# Orthogonalized momentum for the block matrices

@torch.compile
def orthogonalize(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    tall = G.size(0) > G.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    if tall:
        X = X.T
    return X


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95, nesterov=True, steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, steps=steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.setdefault(p, {})
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = torch.zeros_like(p.grad)
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                p.add_(orthogonalize(g, group["steps"]).type_as(p), alpha=-group["lr"])


# ---------------------------------------------------------------------------
# Data

class BinShardStream:
    def __init__(self, pattern, batch_size, block_size, rank, world_size):
        self.files = sorted(glob.glob(pattern))
        self.B, self.T = batch_size, block_size
        self.rank, self.world = rank, world_size
        self.file_idx = 0
        self._open(0)

    def _open(self, idx):
        self.file_idx = idx % len(self.files)
        raw = np.memmap(self.files[self.file_idx], dtype=np.uint16, mode="r")
        self.tokens = raw[512:]  # 256 int32 header == 512 uint16
        self.pos = self.rank * self.B * self.T

    def __iter__(self):
        return self

    def __next__(self):
        n = self.B * self.T
        if self.pos + n + 1 > len(self.tokens):
            self._open(self.file_idx + 1)
        chunk = torch.from_numpy(np.asarray(self.tokens[self.pos:self.pos + n + 1], dtype=np.int64))
        self.pos += n * self.world
        return chunk[:-1].view(self.B, self.T), chunk[1:].view(self.B, self.T)


@torch.no_grad()
def evaluate(model, args, device, rank, world):
    model.eval()
    stream = BinShardStream(os.path.join(args.data_dir, "fineweb_val_*.bin"),
                            args.per_device_train_batch_size, args.block_size, rank, world)
    total = torch.zeros((), device=device)
    for _ in range(args.eval_batches):
        x, y = next(stream)
        x, y = x.to(device), y.to(device)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = model(x, return_logits=True)
        total += F.cross_entropy(logits.float().view(-1, logits.size(-1)), y.view(-1))
    total /= args.eval_batches
    if world > 1:
        dist.all_reduce(total, op=dist.ReduceOp.AVG)
    model.train()
    return total.item()


def main():
    args = parse_args()
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        dist.init_process_group("nccl")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device("cuda", local_rank)
    torch.cuda.set_device(device)

    config = GPT2Config(
        vocab_size=50304,  # 50257 rounded up to a multiple of 128
        n_positions=args.block_size,
        n_embd=768,
        n_layer=12,
        n_head=6,  # head_dim = 128
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        tie_word_embeddings=False,
        use_cache=False,
    )
    config.logit_softcap = args.softcap
    model = GPT2LMHeadModel(config)
    model = patch_model(model).to(device)
    assert model.lm_head.weight.data_ptr() != model.transformer.wte.weight.data_ptr()

    matrix_params = [p for p in model.transformer.h.parameters() if p.ndim == 2]
    other_params = [model.transformer.wte.weight, model.lm_head.weight]
    adam = torch.optim.AdamW(other_params, lr=args.adam_lr, betas=(0.9, 0.95), weight_decay=0.0)
    ortho = OrthoMomentum(matrix_params, lr=args.ortho_lr, momentum=0.95)
    optimizers = [adam, ortho]
    schedulers = [
        get_cosine_schedule_with_warmup(opt, args.num_warmup_steps, args.max_train_steps) for opt in optimizers
    ]

    train_model = DDP(model, device_ids=[local_rank]) if distributed else model
    stream = BinShardStream(os.path.join(args.data_dir, "fineweb_train_*.bin"),
                            args.per_device_train_batch_size, args.block_size, rank, world)

    for step in range(args.max_train_steps):
        if step % args.eval_steps == 0:
            vloss = evaluate(model, args, device, rank, world)
            if rank == 0:
                print(f"step {step}: eval loss {vloss:.4f} ppl {math.exp(vloss):.2f}")
        for micro in range(args.gradient_accumulation_steps):
            x, y = next(stream)
            x, y = x.to(device), y.to(device)
            sync = micro == args.gradient_accumulation_steps - 1
            ctx = train_model.no_sync() if (distributed and not sync) else torch.enable_grad()
            with ctx, torch.autocast("cuda", dtype=torch.bfloat16):
                loss = train_model(x, labels=y) / args.gradient_accumulation_steps
            loss.backward()
        for opt, sch in zip(optimizers, schedulers):
            opt.step()
            sch.step()
        train_model.zero_grad(set_to_none=True)
        if rank == 0 and step % 25 == 0:
            print(f"step {step} train loss {loss.item() * args.gradient_accumulation_steps:.4f}")

    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
