# Copyright (c) the contributors.
# Single-file, torchtitan-flavoured llama-style trainer (DDP, compiled model).

import math
import os
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.nn.parallel import DistributedDataParallel as DDP


@dataclass
class ModelArgs:
    dim: int = 768
    n_layers: int = 12
    n_heads: int = 6
    vocab_size: int = 50304
    ffn_mult: int = 4
    rope_base: float = 1024.0
    max_seq_len: int = 65536
    attn_logit_scale: float = 0.12
    output_softcap: float = 15.0
    mlp_only_layers: tuple = (7,)
    norm_eps: float = 1e-6


def precompute_freqs_cis(head_dim: int, end: int, base: float) -> torch.Tensor:
    """Complex rotation table; only the first half of the rotary pairs actually rotate."""
    n_rot = head_dim // 4
    spin = base ** -torch.linspace(0.0, 1.0, n_rot, dtype=torch.float32)
    freqs = torch.cat([spin, torch.zeros(head_dim // 2 - n_rot, dtype=torch.float32)])
    t = torch.arange(end, dtype=torch.float32)
    angles = torch.outer(t, freqs)
    return torch.polar(torch.ones_like(angles), angles)  # complex64, (end, head_dim // 2)


def apply_rope_complex(xq: torch.Tensor, xk: torch.Tensor, freqs_cis: torch.Tensor):
    seqlen = xq.shape[1]
    fc = freqs_cis[:seqlen].view(1, seqlen, 1, -1)
    xq_c = torch.view_as_complex(xq.float().reshape(*xq.shape[:-1], -1, 2))
    xk_c = torch.view_as_complex(xk.float().reshape(*xk.shape[:-1], -1, 2))
    xq_out = torch.view_as_real(xq_c * fc).flatten(3)
    xk_out = torch.view_as_real(xk_c * fc).flatten(3)
    return xq_out.type_as(xq), xk_out.type_as(xk)


class MasterLinear(nn.Linear):
    def __init__(self, in_features, out_features):
        super().__init__(in_features, out_features, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class Attention(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.n_heads = args.n_heads
        self.head_dim = args.dim // args.n_heads
        self.scale = args.attn_logit_scale
        bound = math.sqrt(3.0) * 0.5 / math.sqrt(args.dim)
        self.wqkv = nn.Parameter(torch.empty(3, args.dim, args.dim).uniform_(-bound, bound))
        self.wo = MasterLinear(args.dim, args.dim)

    def forward(self, x, freqs_cis):
        bs, seqlen, _ = x.shape
        packed = F.linear(x, self.wqkv.flatten(0, 1).to(x.dtype))
        xq, xk, xv = packed.view(bs, seqlen, 3, self.n_heads, self.head_dim).unbind(dim=2)
        xq = F.rms_norm(xq, (self.head_dim,))
        xk = F.rms_norm(xk, (self.head_dim,))
        xq, xk = apply_rope_complex(xq, xk, freqs_cis)
        with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
            out = F.scaled_dot_product_attention(xq.transpose(1, 2), xk.transpose(1, 2), xv.transpose(1, 2),
                                                 is_causal=True, scale=self.scale)
        return self.wo(out.transpose(1, 2).reshape(bs, seqlen, -1))


class FeedForward(nn.Module):
    def __init__(self, dim, hidden_dim):
        super().__init__()
        self.w1 = MasterLinear(dim, hidden_dim)
        self.w2 = MasterLinear(hidden_dim, dim)

    def forward(self, x):
        h = F.relu(self.w1(x))
        return self.w2(h * h)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return F.rms_norm(x, (x.size(-1),), self.weight, self.eps)


class TransformerBlock(nn.Module):
    def __init__(self, layer_id: int, args: ModelArgs):
        super().__init__()
        self.layer_id = layer_id
        self.has_attention = layer_id not in args.mlp_only_layers
        if self.has_attention:
            self.attention_norm = RMSNorm(args.dim, args.norm_eps)
            self.attention = Attention(args)
        self.ffn_norm = RMSNorm(args.dim, args.norm_eps)
        self.feed_forward = FeedForward(args.dim, args.ffn_mult * args.dim)

    def forward(self, x, freqs_cis):
        if self.has_attention:
            x = x + self.attention(self.attention_norm(x), freqs_cis)
        return x + self.feed_forward(self.ffn_norm(x))

    def init_weights(self):
        if self.has_attention:
            nn.init.zeros_(self.attention.wo.weight)
        nn.init.zeros_(self.feed_forward.w2.weight)


class Transformer(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.tok_embeddings = nn.Embedding(args.vocab_size, args.dim)
        self.layers = nn.ModuleDict({str(i): TransformerBlock(i, args) for i in range(args.n_layers)})
        self.norm = RMSNorm(args.dim, args.norm_eps)
        self.output = MasterLinear(args.dim, args.vocab_size)
        self.register_buffer("freqs_cis", precompute_freqs_cis(args.dim // args.n_heads, args.max_seq_len,
                                                              args.rope_base), persistent=False)
        self.init_weights()

    def init_weights(self):
        nn.init.normal_(self.tok_embeddings.weight, std=1.0)
        for layer in self.layers.values():
            layer.init_weights()
        nn.init.zeros_(self.output.weight)

    def forward(self, tokens):
        h = self.tok_embeddings(tokens)
        for layer in self.layers.values():
            h = layer(h, self.freqs_cis)
        logits = self.output(self.norm(h)).float()
        cap = self.args.output_softcap
        return cap * torch.tanh(logits / cap)


# ---------------------------------------------------------------- optimizers

def ns_orthogonalize(G: torch.Tensor, steps: int = 5) -> torch.Tensor:
    """Quintic Newton-Schulz on the trailing two dims; leading dims are treated as a batch."""
    assert G.ndim >= 2
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.to(torch.bfloat16)
    tall = G.size(-2) > G.size(-1)
    if tall:
        X = X.mT
    X = X / (torch.linalg.matrix_norm(X, keepdim=True) + 1e-7)
    for _ in range(steps):
        gram = X @ X.mT
        poly = b * gram + c * (gram @ gram)
        X = a * X + poly @ X
    return X.mT if tall else X


class OrthoNesterov(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state.setdefault(p, {})
                buf = st.setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(mu).add_(p.grad)
                update = ns_orthogonalize(p.grad + mu * buf, group["ns_steps"])
                aspect = max(1.0, p.size(-2) / p.size(-1)) ** 0.5
                p.add_(update.to(p.dtype), alpha=-group["lr"] * aspect)


def build_optimizers(model: Transformer, cfg: dict):
    block_params = list(model.layers.parameters())
    matrices = [p for p in block_params if p.ndim >= 2]
    vectors = [p for p in block_params if p.ndim < 2] + list(model.norm.parameters())
    adam = torch.optim.AdamW(
        [
            {"params": [model.tok_embeddings.weight], "lr": cfg["embed_lr"]},
            {"params": [model.output.weight], "lr": cfg["head_lr"]},
            {"params": vectors, "lr": cfg["scalar_lr"]},
        ],
        betas=(0.8, 0.95), eps=1e-10, weight_decay=0.0, fused=True,
    )
    ortho = OrthoNesterov(matrices, lr=cfg["matrix_lr"], momentum=0.95)
    return [adam, ortho]


def build_lr_schedulers(optimizers, cfg: dict):
    total, decay_frac = cfg["steps"], cfg["decay_frac"]

    def multiplier(step):
        left = 1.0 - step / total
        w = min(left / decay_frac, 1.0)
        return 0.1 + 0.9 * w

    return [torch.optim.lr_scheduler.LambdaLR(opt, multiplier) for opt in optimizers]


# ---------------------------------------------------------------- data

class TokenBatches:
    def __init__(self, pattern, batch, seqlen, rank, world):
        import glob
        self.files = sorted(glob.glob(pattern))
        self.batch, self.seqlen, self.rank, self.world = batch, seqlen, rank, world
        self.file_idx, self.cursor = 0, 0
        self._load()

    def _load(self):
        path = self.files[self.file_idx % len(self.files)]
        header = np.fromfile(path, dtype=np.int32, count=256)
        self.tokens = np.memmap(path, dtype=np.uint16, mode="r", offset=256 * 4, shape=(int(header[2]),))
        self.cursor = self.rank * self.batch * self.seqlen

    def __next__(self):
        n = self.batch * self.seqlen
        if self.cursor + n + 1 > len(self.tokens):
            self.file_idx += 1
            self._load()
        buf = torch.from_numpy(self.tokens[self.cursor:self.cursor + n + 1].astype(np.int64))
        self.cursor += n * self.world
        x, y = buf[:-1].view(self.batch, self.seqlen), buf[1:].view(self.batch, self.seqlen)
        return x.cuda(non_blocking=True), y.cuda(non_blocking=True)


# ---------------------------------------------------------------- train

def train(config: dict):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    torch.manual_seed(config["seed"])

    model_args = ModelArgs(**config.get("model", {}))
    model = Transformer(model_args).cuda()
    optimizers = build_optimizers(model, config["optim"])
    schedulers = build_lr_schedulers(optimizers, config["optim"])
    model = DDP(torch.compile(model), device_ids=[torch.cuda.current_device()])

    data = TokenBatches(config["data"], config["batch"], config["seqlen"], rank, world)
    for step in range(1, config["optim"]["steps"] + 1):
        t0 = time.perf_counter()
        inputs, targets = next(data)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = model(inputs)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        loss.backward()
        for opt, sched in zip(optimizers, schedulers):
            opt.step()
            sched.step()
        for opt in optimizers:
            opt.zero_grad(set_to_none=True)
        if rank == 0 and step % config["log_freq"] == 0:
            dt = time.perf_counter() - t0
            print(f"step: {step:5d}  loss: {loss.item():.4f}  tps: {inputs.numel() * world / dt:,.0f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    train({
        "seed": 0,
        "data": os.environ.get("DATA_GLOB", "/data/fineweb10B/train_*.bin"),
        "batch": 16,
        "seqlen": 1024,
        "log_freq": 10,
        "optim": dict(steps=6000, decay_frac=0.4, embed_lr=0.3, head_lr=0.002, scalar_lr=0.02, matrix_lr=0.02),
    })
