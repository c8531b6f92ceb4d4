# Copyright (c) our lab. Adapted from the torchtitan single-file debug trainer.
#
# FSDP2 + float8 (torchao) pretraining of a small GPT-2-vocab llama variant.
#   torchrun --nproc_per_node=8 torchtitan_float8_llama.py
import os
import math
import time
import tomllib
from dataclasses import dataclass
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard, MixedPrecisionPolicy
from torch.distributed.tensor import DTensor
from torch.optim.lr_scheduler import LambdaLR

from torchao.float8 import Float8LinearConfig, convert_to_float8_training

JOB_TOML = """
[job]
description = "llama-124m float8 debug"
dump_folder = "./outputs"

[model]
name = "llama_gpt2vocab"
dim = 768
n_layers = 12
n_heads = 6
tokenizer_vocab = 50257
pad_vocab_to = 128

[optimizer]
name = "AdamW"
lr = 1.8e-3
eps = 1e-8
weight_decay = 0.1
implementation = "fused"

[lr_scheduler]
warmup_steps = 256
decay_steps = 2000
decay_type = "linear"
lr_min = 0.0

[training]
local_batch_size = 16
seq_len = 2048
steps = 8000
max_norm = 1.0
dataset_path = "./data/fineweb_edu_gpt2"

[float8]
enable_fsdp_float8_all_gather = true
precompute_float8_dynamic_scale_for_fsdp = true
filter_fqns = ["output"]
"""


@dataclass
class ModelArgs:
    dim: int = 768
    n_layers: int = 12
    n_heads: int = 6
    vocab_size: int = 50304
    max_seq_len: int = 2048
    rope_theta: float = 10000.0
    norm_eps: float = 1e-6


def precompute_freqs_cis(dim: int, end: int, theta: float) -> torch.Tensor:
    freqs = 1.0 / (theta ** (torch.arange(0, dim, 2)[: dim // 2].float() / dim))
    t = torch.arange(end, device=freqs.device)
    return torch.polar(torch.ones(end, dim // 2), torch.outer(t, freqs).float())


def apply_rotary_emb(xq, xk, freqs_cis):
    xq_ = torch.view_as_complex(xq.float().reshape(*xq.shape[:-1], -1, 2))
    xk_ = torch.view_as_complex(xk.float().reshape(*xk.shape[:-1], -1, 2))
    fc = freqs_cis[: xq.shape[1]].view(1, xq.shape[1], 1, xq_.shape[-1])
    return (torch.view_as_real(xq_ * fc).flatten(3).type_as(xq),
            torch.view_as_real(xk_ * fc).flatten(3).type_as(xk))


class Attention(nn.Module):
    def __init__(self, a: ModelArgs):
        super().__init__()
        self.n_heads, self.head_dim = a.n_heads, a.dim // a.n_heads
        self.wq = nn.Linear(a.dim, a.dim, bias=False)
        self.wk = nn.Linear(a.dim, a.dim, bias=False)
        self.wv = nn.Linear(a.dim, a.dim, bias=False)
        self.wo = nn.Linear(a.dim, a.dim, bias=False)

    def forward(self, x, freqs_cis):
        bs, seqlen, _ = x.shape
        xq = self.wq(x).view(bs, seqlen, self.n_heads, self.head_dim)
        xk = self.wk(x).view(bs, seqlen, self.n_heads, self.head_dim)
        xv = self.wv(x).view(bs, seqlen, self.n_heads, self.head_dim)
        # qk-norm: scale-free RMS over each head's channels
        xq = F.rms_norm(xq, (self.head_dim,))
        xk = F.rms_norm(xk, (self.head_dim,))
        xq, xk = apply_rotary_emb(xq, xk, freqs_cis)
        out = F.scaled_dot_product_attention(xq.transpose(1, 2), xk.transpose(1, 2), xv.transpose(1, 2), is_causal=True)
        return self.wo(out.transpose(1, 2).contiguous().view(bs, seqlen, -1))

    def init_weights(self, init_std):
        for lin in (self.wq, self.wk, self.wv):
            nn.init.trunc_normal_(lin.weight, mean=0.0, std=0.02)
        nn.init.trunc_normal_(self.wo.weight, mean=0.0, std=init_std)


class FeedForward(nn.Module):
    """Primer-style FFN: squared ReLU instead of SwiGLU."""

    def __init__(self, dim, hidden_dim):
        super().__init__()
        self.w1 = nn.Linear(dim, hidden_dim, bias=False)
        self.w2 = nn.Linear(hidden_dim, dim, bias=False)

    def forward(self, x):
        return self.w2(torch.square(F.relu(self.w1(x))))

    def init_weights(self, init_std):
        nn.init.trunc_normal_(self.w1.weight, mean=0.0, std=0.02)
        nn.init.trunc_normal_(self.w2.weight, mean=0.0, std=init_std)


class TransformerBlock(nn.Module):
    def __init__(self, layer_id, a: ModelArgs):
        super().__init__()
        self.attention = Attention(a)
        self.feed_forward = FeedForward(a.dim, 4 * a.dim)
        self.attention_norm = nn.RMSNorm(a.dim, eps=a.norm_eps)
        self.ffn_norm = nn.RMSNorm(a.dim, eps=a.norm_eps)
        self.weight_init_std = 0.02 / (2 * (layer_id + 1)) ** 0.5

    def forward(self, x, freqs_cis):
        h = x + self.attention(self.attention_norm(x), freqs_cis)
        return h + self.feed_forward(self.ffn_norm(h))

    def init_weights(self):
        self.attention.init_weights(self.weight_init_std)
        self.feed_forward.init_weights(self.weight_init_std)


class Transformer(nn.Module):
    def __init__(self, a: ModelArgs):
        super().__init__()
        self.model_args = a
        self.tok_embeddings = nn.Embedding(a.vocab_size, a.dim)
        self.register_buffer("freqs_cis", precompute_freqs_cis(a.dim // a.n_heads, a.max_seq_len * 2, a.rope_theta), persistent=False)
        self.layers = nn.ModuleDict({str(i): TransformerBlock(i, a) for i in range(a.n_layers)})
        self.norm = nn.RMSNorm(a.dim, eps=a.norm_eps)
        self.output = nn.Linear(a.dim, a.vocab_size, bias=False)  # separate from tok_embeddings

    def init_weights(self):
        with torch.device(self.freqs_cis.device):
            self.freqs_cis = precompute_freqs_cis(self.model_args.dim // self.model_args.n_heads,
                                                  self.model_args.max_seq_len * 2, self.model_args.rope_theta)
        nn.init.normal_(self.tok_embeddings.weight)
        for layer in self.layers.values():
            layer.init_weights()
        self.norm.reset_parameters()
        final_out_std = self.model_args.dim ** -0.5
        nn.init.trunc_normal_(self.output.weight, mean=0.0, std=final_out_std, a=-3 * final_out_std, b=3 * final_out_std)

    def forward(self, tokens):
        h = self.tok_embeddings(tokens)
        for layer in self.layers.values():
            h = layer(h, self.freqs_cis)
        return self.output(self.norm(h))


def cross_entropy_loss(pred, labels):
    return F.cross_entropy(pred.flatten(0, 1).float(), labels.flatten(0, 1))


def linear_warmup_stable_decay(current_step, warmup_steps, stable_steps, decay_steps, lr_min):
    if current_step < warmup_steps:
        return float(current_step + 1) / (warmup_steps + 1)
    if current_step < warmup_steps + stable_steps:
        return 1.0
    progress = float(current_step - warmup_steps - stable_steps) / decay_steps
    return lr_min + (1.0 - lr_min) * max(0.0, 1.0 - progress)


def build_lr_schedulers(optimizers, job):
    sched = job["lr_scheduler"]
    steps = job["training"]["steps"]
    stable = steps - sched["warmup_steps"] - sched["decay_steps"]
    fn = partial(linear_warmup_stable_decay, warmup_steps=sched["warmup_steps"], stable_steps=stable,
                 decay_steps=sched["decay_steps"], lr_min=sched["lr_min"])
    return [LambdaLR(opt, lr_lambda=fn) for opt in optimizers]


def build_optimizers(model, job):
    o = job["optimizer"]
    kw = dict(lr=o["lr"], betas=(0.9, 0.95), eps=o["eps"], weight_decay=o["weight_decay"],
              fused=o["implementation"] == "fused", foreach=False)
    return [torch.optim.AdamW(model.parameters(), **kw)]


def apply_float8(model, job):
    cfg = Float8LinearConfig(enable_fsdp_float8_all_gather=job["float8"]["enable_fsdp_float8_all_gather"])
    skip = set(job["float8"]["filter_fqns"])
    convert_to_float8_training(
        model, config=cfg,
        module_filter_fn=lambda mod, fqn: isinstance(mod, nn.Linear) and fqn not in skip,
    )


def apply_fsdp(model, mesh):
    mp = MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32)
    for i, block in model.layers.items():
        fully_shard(block, mesh=mesh, mp_policy=mp, reshard_after_forward=int(i) < len(model.layers) - 1)
    fully_shard(model, mesh=mesh, mp_policy=mp)


def token_loader(path, bs, seq, rank, world):
    import numpy as np
    data = np.memmap(os.path.join(path, "train.bin"), dtype=np.uint16, mode="r")
    n = bs * seq
    i = rank * n
    while True:
        if i + n + 1 > len(data):
            i = rank * n
        buf = torch.from_numpy(data[i:i + n + 1].astype(np.int64))
        i += world * n
        yield buf[:-1].view(bs, seq), buf[1:].view(bs, seq)


def main():
    job = tomllib.loads(JOB_TOML)
    dist.init_process_group("nccl")
    world, rank = dist.get_world_size(), dist.get_rank()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    mesh = init_device_mesh("cuda", (world,), mesh_dim_names=("dp_shard",))

    m = job["model"]
    multiple = m["pad_vocab_to"]
    vocab = (m["tokenizer_vocab"] + multiple - 1) // multiple * multiple
    args = ModelArgs(dim=m["dim"], n_layers=m["n_layers"], n_heads=m["n_heads"], vocab_size=vocab,
                     max_seq_len=job["training"]["seq_len"])
    with torch.device("meta"):
        model = Transformer(args)
    apply_float8(model, job)
    for block in model.layers.values():
        block.compile(fullgraph=True)
    apply_fsdp(model, mesh)
    model.to_empty(device="cuda")
    with torch.no_grad():
        model.init_weights()

    optimizers = build_optimizers(model, job)
    schedulers = build_lr_schedulers(optimizers, job)
    tr = job["training"]
    loader = token_loader(tr["dataset_path"], tr["local_batch_size"], tr["seq_len"], rank, world)
    for step in range(1, tr["steps"] + 1):
        inputs, labels = (t.cuda(non_blocking=True) for t in next(loader))
        pred = model(inputs)
        loss = cross_entropy_loss(pred, labels)
        del pred
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), tr["max_norm"], foreach=True)
        if isinstance(grad_norm, DTensor):
            grad_norm = grad_norm.full_tensor()
        for opt in optimizers:
            opt.step()
            opt.zero_grad()
        for s in schedulers:
            s.step()
        if step % 10 == 0 and rank == 0:
            print(f"step: {step:5d}  loss: {loss.item():7.4f}  grad_norm: {grad_norm.item():.3f}  "
                  f"lr: {schedulers[0].get_last_lr()[0]:.2e}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
