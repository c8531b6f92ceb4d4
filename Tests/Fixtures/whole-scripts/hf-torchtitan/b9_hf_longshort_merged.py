# coding=utf-8
"""Kestrel causal language model + pretraining loop (transformers-style module layout)."""
import glob
import math
import os
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP

flex_attention = torch.compile(flex_attention, dynamic=False)


class KestrelConfig:
    def __init__(self, vocab_size=50304, hidden_size=768, num_hidden_layers=12, num_attention_heads=6,
                 intermediate_size=3072, attention_pattern="LSSSLSSLSSSL", num_value_tables=3,
                 attn_score_cap=15.0, final_logit_cap=30.0, eos_token_id=50256, rope_theta=10000.0,
                 initializer_range=0.02):
        assert len(attention_pattern) == num_hidden_layers
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.intermediate_size = intermediate_size
        self.attention_pattern = attention_pattern   # L = long local window, S = half-width local window
        self.num_value_tables = num_value_tables
        self.attn_score_cap = attn_score_cap
        self.final_logit_cap = final_logit_cap
        self.eos_token_id = eos_token_id
        self.rope_theta = rope_theta
        self.initializer_range = initializer_range


def kestrel_norm(x):
    return F.rms_norm(x, (x.size(-1),))


class KestrelLinear(nn.Linear):
    def __init__(self, in_features, out_features):
        super().__init__(in_features, out_features, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class KestrelQKV(nn.Module):
    """Stacked (3, hidden, hidden) projection weight; one matmul produces q, k and v."""

    def __init__(self, hidden):
        super().__init__()
        bound = (3 ** 0.5) * 0.5 * hidden ** -0.5
        self.weight = nn.Parameter(torch.empty(3, hidden, hidden).uniform_(-bound, bound))

    def forward(self, x):
        return F.linear(x, self.weight.reshape(-1, self.weight.size(-1)).to(x.dtype)).chunk(3, dim=-1)


def kestrel_rope(x, theta):
    T, hd = x.size(1), x.size(-1)
    inv = theta ** (-torch.arange(0, hd // 2, device=x.device, dtype=torch.float32) * 2.0 / hd)
    ang = torch.arange(T, device=x.device, dtype=torch.float32)[:, None] * inv[None]
    cos, sin = ang.cos()[None, :, None, :].to(x.dtype), ang.sin()[None, :, None, :].to(x.dtype)
    lo, hi = x.chunk(2, dim=-1)
    return torch.cat((lo * cos + hi * sin, hi * cos - lo * sin), dim=-1)


class KestrelAttention(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        self.config = config
        self.num_heads = config.num_attention_heads
        self.is_long = config.attention_pattern[layer_idx] == "L"
        self.qkv = KestrelQKV(config.hidden_size)
        self.o_proj = KestrelLinear(config.hidden_size, config.hidden_size)
        has_table = layer_idx < config.num_value_tables
        self.value_table_weight = nn.Parameter(torch.tensor(0.5)) if has_table else None

    def forward(self, hidden_states, long_mask=None, short_mask=None, value_table=None):
        bsz, seqlen, dim = hidden_states.shape
        q, k, v = (t.view(bsz, seqlen, self.num_heads, -1) for t in self.qkv(hidden_states))
        if value_table is not None:
            v = torch.lerp(v, value_table.view_as(v), self.value_table_weight)
        q, k = kestrel_norm(q), kestrel_norm(k)
        q, k = kestrel_rope(q, self.config.rope_theta), kestrel_rope(k, self.config.rope_theta)
        cap = self.config.attn_score_cap

        def soft_cap_scores(score, b, h, q_idx, kv_idx):
            return cap * torch.tanh(score / cap)

        out = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                             score_mod=soft_cap_scores, block_mask=long_mask if self.is_long else short_mask)
        return self.o_proj(out.transpose(1, 2).reshape(bsz, seqlen, dim))


class KestrelMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.up_proj = KestrelLinear(config.hidden_size, config.intermediate_size)
        self.down_proj = KestrelLinear(config.intermediate_size, config.hidden_size)

    def forward(self, x):
        return self.down_proj(F.relu(self.up_proj(x)) ** 2)


class KestrelDecoderLayer(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        self.self_attn = KestrelAttention(config, layer_idx)
        self.mlp = KestrelMLP(config)

    def forward(self, hidden_states, long_mask=None, short_mask=None, value_table=None):
        hidden_states = hidden_states + self.self_attn(kestrel_norm(hidden_states), long_mask=long_mask,
                                                       short_mask=short_mask, value_table=value_table)
        return hidden_states + self.mlp(kestrel_norm(hidden_states))


class KestrelPreTrainedModel(nn.Module):
    def _init_weights(self, module):
        if isinstance(module, KestrelAttention):
            module.o_proj.weight.data.zero_()
        elif isinstance(module, KestrelMLP):
            module.down_proj.weight.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(0.0, 1.0)


class KestrelModel(KestrelPreTrainedModel):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        # extra token tables feeding the values of the first few layers
        self.value_tables = nn.ModuleList(nn.Embedding(config.vocab_size, config.hidden_size)
                                          for _ in range(config.num_value_tables))
        self.layers = nn.ModuleList(KestrelDecoderLayer(config, i) for i in range(config.num_hidden_layers))
        self.apply(self._init_weights)

    def forward(self, input_ids, window=None):
        n = input_ids.numel()
        doc = (input_ids == self.config.eos_token_id).cumsum(dim=0)

        def local_doc_mask(w):
            def mod(b, h, q_idx, kv_idx):
                return (q_idx >= kv_idx) & (q_idx - kv_idx < w) & (doc[q_idx] == doc[kv_idx])
            return create_block_mask(mod, None, None, n, n, device=input_ids.device)

        long_mask, short_mask = local_doc_mask(window), local_doc_mask(window // 2)
        tables = [t(input_ids)[None] for t in self.value_tables]
        hidden_states = kestrel_norm(self.embed_tokens(input_ids)[None])
        for i, layer in enumerate(self.layers):
            vt = tables[i] if i < len(tables) else None
            hidden_states = layer(hidden_states, long_mask=long_mask, short_mask=short_mask, value_table=vt)
        return kestrel_norm(hidden_states)


class KestrelForCausalLM(KestrelPreTrainedModel):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.model = KestrelModel(config)
        self.logits_proj = KestrelLinear(config.hidden_size, config.vocab_size)
        self.logits_proj.weight.data.normal_(0.0, config.initializer_range)

    def forward(self, input_ids=None, labels=None, window=None):
        logits = self.logits_proj(self.model(input_ids, window=window)).float()
        cap = self.config.final_logit_cap
        logits = cap * torch.tanh(logits / cap)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels)


# ------------------------------------------------------------------------------ optimizer

def zeroth_power(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.to(torch.bfloat16)
    wide = G.size(-2) <= G.size(-1)
    if not wide:
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        X = a * X + b * (A @ X) + c * (A @ A @ X)
    return X if wide else X.mT


class StackedOrthoSGD(torch.optim.Optimizer):
    """Orthogonalized Nesterov momentum; 3-D weights are handled slice-wise in one batched call."""

    def __init__(self, params, lr=0.05, momentum=0.95):
        params = [p for p in params if p.ndim >= 2]
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                st = self.state[p]
                st.setdefault("mom", torch.zeros_like(p.grad)).mul_(mu).add_(p.grad)
                upd = zeroth_power(p.grad + mu * st["mom"])
                gain = (p.size(-2) / p.size(-1)) ** 0.5 if p.size(-2) > p.size(-1) else 1.0
                p.add_(upd.to(p.dtype), alpha=-group["lr"] * gain)


# ------------------------------------------------------------------------------ data / main

def pinned_shard(path):
    header = torch.from_file(path, False, 256, dtype=torch.int32)
    count = int(header[2])
    buf = torch.empty(count, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as fh:
        fh.seek(256 * 4)
        fh.readinto(buf.numpy())
    return buf


def token_batches(pattern, seq_len, rank, world):
    for path in sorted(glob.glob(pattern)):
        toks = pinned_shard(path)
        for base in range(0, len(toks) - seq_len * world - 1, seq_len * world):
            piece = toks[base + rank * seq_len: base + (rank + 1) * seq_len + 1]
            yield (piece[:-1].to("cuda", dtype=torch.int32, non_blocking=True),
                   piece[1:].to("cuda", dtype=torch.int64, non_blocking=True))


def main(max_steps=1800, warmup=50, decay_frac=0.4, seq_len=64 * 1024):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))

    model = KestrelForCausalLM(KestrelConfig()).cuda().bfloat16()
    for m in model.modules():
        if isinstance(m, (KestrelLinear, KestrelQKV)):
            m.float()
    ddp = DDP(torch.compile(model), device_ids=[torch.cuda.current_device()])

    layer_params = list(model.model.layers.parameters())
    adam = torch.optim.Adam([
        {"params": [model.model.embed_tokens.weight, *model.model.value_tables.parameters()], "lr": 0.6},
        {"params": [model.logits_proj.weight], "lr": 0.008},
        {"params": [p for p in layer_params if p.ndim < 2], "lr": 0.04},
    ], betas=(0.8, 0.95), fused=True)
    ortho = StackedOrthoSGD(layer_params, lr=0.05)
    optimizers = [adam, ortho]

    def lr_at(step):
        if step < warmup:
            return (step + 1) / warmup
        return min(1.0, (max_steps - step) / (decay_frac * max_steps))

    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, lr_at) for o in optimizers]
    data = token_batches(os.environ["KESTREL_DATA"], seq_len, rank, world)
    t0 = time.time()
    for step in range(max_steps):
        w = 64 + (1792 - 64) * step / max_steps
        window = torch.tensor(int(w) // 64 * 64, device="cuda", dtype=torch.int32)
        input_ids, labels = next(data)
        loss = ddp(input_ids=input_ids, labels=labels, window=window)
        loss.backward()
        ortho.param_groups[0]["momentum"] = 0.85 + 0.1 * min(step / 300, 1.0)
        for o, s in zip(optimizers, schedulers):
            o.step()
            s.step()
            o.zero_grad(set_to_none=True)
        if rank == 0:
            print(f"step {step} loss {loss.item():.4f} window {int(window)} t {time.time() - t0:.0f}s")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
