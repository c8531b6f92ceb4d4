"""Nanotron-style pretraining entry point (single file).

Config is a three-level dataclass tree (Config -> ModelArgs -> AttentionArgs ...),
parallelism is described by a ParallelContext, and the dense layers are thin
tensor-parallel wrappers (TP=1 here, but the code paths are kept).
"""
import os
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F


# ============================================================== config tree
@dataclass
class RotaryArgs:
    base_period: float = 1024.0
    max_position: int = 65536


@dataclass
class AttentionArgs:
    num_heads: int = 12
    logit_scale: float = 0.12
    rotary: RotaryArgs = field(default_factory=RotaryArgs)


@dataclass
class ModelArgs:
    hidden_size: int = 768
    num_layers: int = 12
    vocab_size: int = 50257
    intermediate_mult: int = 4
    tie_word_embeddings: bool = False
    skip_mlp_layer: int = 7
    attention: AttentionArgs = field(default_factory=AttentionArgs)


@dataclass
class LRSchedulerArgs:
    cooldown_fraction: float = 0.4
    min_ratio: float = 0.1


@dataclass
class OptimizerArgs:
    matrix_lr: float = 0.02
    matrix_momentum: float = 0.95
    ns_steps: int = 5
    adam_lr: float = 0.008
    adam_weight_decay: float = 0.01
    schedule: LRSchedulerArgs = field(default_factory=LRSchedulerArgs)


@dataclass
class TokensArgs:
    sequence_length: int = 1024
    micro_batch_size: int = 32
    train_steps: int = 3000
    dataset_glob: str = "data/fineweb10B/fineweb_train_*.bin"


@dataclass
class Config:
    model: ModelArgs = field(default_factory=ModelArgs)
    optimizer: OptimizerArgs = field(default_factory=OptimizerArgs)
    tokens: TokensArgs = field(default_factory=TokensArgs)


# ============================================================== parallel context
class ParallelContext:
    def __init__(self):
        self.world_size = int(os.environ.get("WORLD_SIZE", 1))
        self.rank = int(os.environ.get("RANK", 0))
        self.local_rank = int(os.environ.get("LOCAL_RANK", 0))
        if self.world_size > 1:
            dist.init_process_group("nccl")
        torch.cuda.set_device(self.local_rank)
        self.device = torch.device("cuda", self.local_rank)
        self.tp_pg = None  # tensor-parallel group of size 1

    def is_distributed(self):
        return self.world_size > 1


class TensorParallelColumnLinear(nn.Module):
    """Weight kept in fp32; the matmul runs in the activation dtype."""

    def __init__(self, in_features, out_features, pg=None):
        super().__init__()
        self.pg = pg
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.reset_parameters()

    def reset_parameters(self):
        fan_in = self.weight.shape[1]
        bound = 3 ** 0.5 * (0.5 / fan_in ** 0.5)
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)

    def forward(self, x):
        return F.linear(x, self.weight.to(dtype=x.dtype))


class TensorParallelRowLinear(TensorParallelColumnLinear):
    def forward(self, x):
        out = super().forward(x)
        if self.pg is not None:
            dist.all_reduce(out, group=self.pg)
        return out


# ============================================================== model
class HalfRotary(nn.Module):
    def __init__(self, head_dim, r: RotaryArgs):
        super().__init__()
        quarter = head_dim // 4
        spinning = (1.0 / r.base_period) ** torch.linspace(0.0, 1.0, quarter)
        freqs = torch.cat([spinning, torch.zeros(quarter)])
        theta = torch.outer(torch.arange(r.max_position, dtype=torch.float32), freqs)
        self.register_buffer("cos", theta.cos(), persistent=False)
        self.register_buffer("sin", theta.sin(), persistent=False)

    def forward(self, x):  # x: (B, T, H, D)
        T = x.size(1)
        c, s = self.cos[None, :T, None, :], self.sin[None, :T, None, :]
        lo, hi = x.float().chunk(2, dim=-1)
        return torch.cat((lo * c + hi * s, hi * c - lo * s), dim=-1).to(x.dtype)


class FusedQKVAttention(nn.Module):
    def __init__(self, m: ModelArgs, pc: ParallelContext):
        super().__init__()
        d, a = m.hidden_size, m.attention
        self.n_heads, self.head_dim = a.num_heads, d // a.num_heads
        bound = 3 ** 0.5 * 0.5 * d ** -0.5
        self.qkv_weight = nn.Parameter(torch.empty(3, d, d).uniform_(-bound, bound))
        self.o_proj = TensorParallelRowLinear(d, d, pc.tp_pg)
        self.rotary = HalfRotary(self.head_dim, a.rotary)
        self.scale = a.logit_scale

    def forward(self, x):
        B, T, D = x.shape
        w = self.qkv_weight.flatten(0, 1).to(x.dtype)
        q, k, v = F.linear(x, w).view(B, T, 3, self.n_heads, self.head_dim).unbind(2)
        q = F.rms_norm(q, (self.head_dim,))
        k = F.rms_norm(k, (self.head_dim,))
        q, k = self.rotary(q), self.rotary(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                                           is_causal=True, scale=self.scale)
        return self.o_proj(y.transpose(1, 2).reshape(B, T, D))


class MLP(nn.Module):
    def __init__(self, m: ModelArgs, pc: ParallelContext):
        super().__init__()
        inner = m.intermediate_mult * m.hidden_size
        self.gate_up = TensorParallelColumnLinear(m.hidden_size, inner, pc.tp_pg)
        self.down = TensorParallelRowLinear(inner, m.hidden_size, pc.tp_pg)

    def forward(self, x):
        h = F.relu(self.gate_up(x))
        return self.down(h * h)


class DecoderLayer(nn.Module):
    def __init__(self, m: ModelArgs, pc: ParallelContext, layer_idx: int):
        super().__init__()
        self.attn = FusedQKVAttention(m, pc)
        # layer `skip_mlp_layer` is attention-only (saves a little compute)
        self.mlp = None if layer_idx == m.skip_mlp_layer else MLP(m, pc)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        if self.mlp is not None:
            x = x + self.mlp(F.rms_norm(x, (x.size(-1),)))
        return x


class LlamaLikeForTraining(nn.Module):
    def __init__(self, m: ModelArgs, pc: ParallelContext):
        super().__init__()
        self.token_embedding = nn.Embedding(m.vocab_size, m.hidden_size)
        self.decoder = nn.ModuleList(DecoderLayer(m, pc, i) for i in range(m.num_layers))
        self.lm_head = TensorParallelColumnLinear(m.hidden_size, m.vocab_size, pc.tp_pg)
        if m.tie_word_embeddings:
            self.lm_head.weight = self.token_embedding.weight

    def forward(self, input_ids, labels):
        h = self.token_embedding(input_ids)
        for layer in self.decoder:
            h = layer(h)
        logits = self.lm_head(F.rms_norm(h, (h.size(-1),)))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))


# ============================================================== optimizer
def ns_orthogonalize(G, steps):
    """Works on (..., m, n) stacks; each trailing matrix is handled independently."""
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.to(torch.bfloat16)
    transposed = G.size(-2) > G.size(-1)
    if transposed:
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        B = A @ X
        X = a * X + b * B + c * (A @ B)
    return X.mT if transposed else X


class ShardedMuon(torch.optim.Optimizer):
    """Each rank orthogonalises every world_size-th matrix; one SUM all-reduce shares the result."""

    def __init__(self, params, pc: ParallelContext, lr, momentum, ns_steps):
        self.pc = pc
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            flat = torch.zeros(sum(p.numel() for p in params), dtype=torch.bfloat16, device=params[0].device)
            cursor = 0
            for i, p in enumerate(params):
                n = p.numel()
                if i % self.pc.world_size == self.pc.rank:
                    buf = self.state[p].setdefault("mom", torch.zeros_like(p.grad))
                    buf.mul_(group["momentum"]).add_(p.grad)
                    g = p.grad.add(buf, alpha=group["momentum"])
                    u = ns_orthogonalize(g, group["ns_steps"])
                    u = u * max(1.0, u.size(-2) / u.size(-1)) ** 0.5
                    flat[cursor:cursor + n] = u.flatten()
                cursor += n
            if self.pc.is_distributed():
                dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            cursor = 0
            for p in params:
                n = p.numel()
                p.add_(flat[cursor:cursor + n].view_as(p).to(p.dtype), alpha=-group["lr"])
                cursor += n


def lr_ratio(step, total, sch: LRSchedulerArgs):
    remaining = 1.0 - step / total
    return sch.min_ratio + (1.0 - sch.min_ratio) * min(remaining / sch.cooldown_fraction, 1.0)


# ============================================================== data
def token_iterator(t: TokensArgs, pc: ParallelContext):
    files = sorted(__import__("glob").glob(t.dataset_glob))
    span = t.micro_batch_size * t.sequence_length
    while True:
        for f in files:
            data = np.memmap(f, dtype=np.uint16, mode="r", offset=256 * 4)
            for start in range(pc.rank * span, len(data) - span - 1, pc.world_size * span):
                buf = torch.from_numpy(data[start:start + span + 1].astype(np.int64)).to(pc.device)
                yield buf[:-1].view(t.micro_batch_size, -1), buf[1:].view(t.micro_batch_size, -1)


# ============================================================== trainer
def main():
    config = Config()
    pc = ParallelContext()
    model = LlamaLikeForTraining(config.model, pc).to(pc.device)
    model.bfloat16()
    for mod in model.modules():
        if isinstance(mod, TensorParallelColumnLinear):
            mod.float()
    for attn in (l.attn for l in model.decoder):
        attn.qkv_weight.data = attn.qkv_weight.data.float()
    if pc.is_distributed():
        for p in model.parameters():
            dist.broadcast(p.data, src=0)

    oc = config.optimizer
    matrix_params = [p for p in model.decoder.parameters() if p.ndim >= 2]
    other_params = [p for n, p in model.named_parameters() if not n.startswith("decoder.") or p.ndim < 2]
    muon = ShardedMuon(matrix_params, pc, lr=oc.matrix_lr, momentum=oc.matrix_momentum, ns_steps=oc.ns_steps)
    adamw = torch.optim.AdamW(other_params, lr=oc.adam_lr, betas=(0.9, 0.95), weight_decay=oc.adam_weight_decay)
    optimizers = [adamw, muon]
    base_lrs = [[g["lr"] for g in o.param_groups] for o in optimizers]

    compiled = torch.compile(model)
    data = token_iterator(config.tokens, pc)
    total = config.tokens.train_steps
    for step in range(total):
        inputs, labels = next(data)
        loss = compiled(inputs, labels)
        loss.backward()
        if pc.is_distributed():
            for p in model.parameters():
                if p.grad is not None:
                    dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
        r = lr_ratio(step, total, oc.schedule)
        for opt, lrs in zip(optimizers, base_lrs):
            for g, lr0 in zip(opt.param_groups, lrs):
                g["lr"] = lr0 * r
            opt.step()
        model.zero_grad(set_to_none=True)
        if pc.rank == 0 and step % 20 == 0:
            print(f"iteration: {step} | lm_loss: {loss.item():.4f} | lr_ratio: {r:.3f}")


if __name__ == "__main__":
    main()
