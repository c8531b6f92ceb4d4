# coding=utf-8
"""Swift causal LM: modeling + pretraining entry point (transformers-like layout)."""
import glob
import itertools
import math
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention
from torch.nn.parallel import DistributedDataParallel

flex_attention = torch.compile(flex_attention, dynamic=False)
create_block_mask = torch.compile(create_block_mask, dynamic=False)


class SwiftConfig:
    model_type = "swift"

    def __init__(self, vocab_size=50304, hidden_size=768, num_hidden_layers=12, num_attention_heads=6,
                 intermediate_size=3072, rope_theta=10000.0, eos_token_id=50256, final_logit_cap=30.0,
                 norm_eps=1e-10, **kwargs):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.intermediate_size = intermediate_size
        self.rope_theta = rope_theta
        self.eos_token_id = eos_token_id
        self.final_logit_cap = final_logit_cap
        self.norm_eps = norm_eps  # eps of the parameter-free RMS norm


def swift_rms(hidden_states, eps):
    return F.rms_norm(hidden_states, (hidden_states.size(-1),), eps=eps)


class SwiftLinear(nn.Linear):
    """Keeps an fp32 master weight; multiplies in whatever dtype the activations arrive in."""

    def __init__(self, in_features, out_features):
        super().__init__(in_features, out_features, bias=False)

    def forward(self, input):
        return F.linear(input, self.weight.to(dtype=input.dtype))


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class SwiftRoPE(nn.Module):
    def __init__(self, head_dim, theta=10000.0):
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    @torch.no_grad()
    def forward(self, seq_len, device):
        pos = torch.arange(seq_len, device=device, dtype=torch.float32)
        freqs = torch.outer(pos, self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos()[None, :, None, :], emb.sin()[None, :, None, :]


def apply_swift_rope(x, cos, sin):
    return (x * cos + rotate_half(x) * sin).type_as(x)


class SwiftAttention(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        self.layer_idx = layer_idx
        self.num_heads = config.num_attention_heads
        self.head_dim = config.hidden_size // self.num_heads
        self.eps = config.norm_eps
        self.q_proj = SwiftLinear(config.hidden_size, config.hidden_size)
        self.k_proj = SwiftLinear(config.hidden_size, config.hidden_size)
        self.v_proj = SwiftLinear(config.hidden_size, config.hidden_size)
        self.o_proj = SwiftLinear(config.hidden_size, config.hidden_size)
        # convex blend between the computed values and this layer's token value table
        self.value_blend = nn.Parameter(torch.tensor(0.5))

    def forward(self, hidden_states, position_embeddings=None, token_values=None, attention_mask=None):
        bsz, q_len, _ = hidden_states.shape
        shape = (bsz, q_len, self.num_heads, self.head_dim)
        query_states = self.q_proj(hidden_states).view(shape)
        key_states = self.k_proj(hidden_states).view(shape)
        value_states = self.v_proj(hidden_states).view(shape)
        value_states = value_states + self.value_blend * (token_values.view(shape) - value_states)
        query_states = swift_rms(query_states, self.eps)
        key_states = swift_rms(key_states, self.eps)
        cos, sin = position_embeddings
        query_states = apply_swift_rope(query_states, cos, sin)
        key_states = apply_swift_rope(key_states, cos, sin)
        attn_output = flex_attention(query_states.transpose(1, 2), key_states.transpose(1, 2),
                                     value_states.transpose(1, 2), block_mask=attention_mask)
        attn_output = attn_output.transpose(1, 2).reshape(bsz, q_len, -1)
        return self.o_proj(attn_output)


class SwiftMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.up_proj = SwiftLinear(config.hidden_size, config.intermediate_size)
        self.down_proj = SwiftLinear(config.intermediate_size, config.hidden_size)

    def forward(self, hidden_states):
        return self.down_proj(torch.square(torch.relu(self.up_proj(hidden_states))))


class SwiftDecoderLayer(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        self.eps = config.norm_eps
        self.self_attn = SwiftAttention(config, layer_idx)
        self.mlp = SwiftMLP(config)
        # [weight on running stream, weight on the embedding anchor]
        self.stream_mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, hidden_states, embed_anchor, position_embeddings=None, token_values=None, attention_mask=None):
        hidden_states = self.stream_mix[0] * hidden_states + self.stream_mix[1] * embed_anchor
        hidden_states = hidden_states + self.self_attn(swift_rms(hidden_states, self.eps),
                                                       position_embeddings=position_embeddings,
                                                       token_values=token_values, attention_mask=attention_mask)
        hidden_states = hidden_states + self.mlp(swift_rms(hidden_states, self.eps))
        return hidden_states


class SwiftPreTrainedModel(nn.Module):
    config_class = SwiftConfig
    base_model_prefix = "model"

    def _init_weights(self, module):
        if isinstance(module, SwiftAttention):
            module.o_proj.weight.data.zero_()
        elif isinstance(module, SwiftMLP):
            module.down_proj.weight.data.zero_()

    def post_init(self):
        self.apply(self._init_weights)


class SwiftModel(SwiftPreTrainedModel):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        # one wide table, split into num_hidden_layers slices (one per layer) at lookup time
        self.value_tables = nn.Embedding(config.vocab_size, config.hidden_size * config.num_hidden_layers)
        self.layers = nn.ModuleList([SwiftDecoderLayer(config, i) for i in range(config.num_hidden_layers)])
        self.n_down = config.num_hidden_layers // 2
        self.n_up = config.num_hidden_layers - self.n_down
        self.skip_gains = nn.Parameter(torch.ones(self.n_up))
        self.rope = SwiftRoPE(config.hidden_size // config.num_attention_heads, config.rope_theta)
        self.post_init()

    def build_attention_mask(self, input_ids, window_tokens):
        seg = torch.cumsum((input_ids == self.config.eos_token_id).int(), dim=0)

        def doc_local_causal(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (seg[q_idx] == seg[kv_idx]) & (q_idx - kv_idx < window_tokens)

        n = input_ids.numel()
        return create_block_mask(doc_local_causal, None, None, n, n, device=input_ids.device, _compile=True)

    def forward(self, input_ids=None, window_tokens=None):
        attention_mask = self.build_attention_mask(input_ids, window_tokens)
        hidden_states = swift_rms(self.embed_tokens(input_ids)[None], self.config.norm_eps)
        embed_anchor = hidden_states
        per_layer_values = self.value_tables(input_ids)[None].chunk(self.config.num_hidden_layers, dim=-1)
        position_embeddings = self.rope(input_ids.numel(), input_ids.device)
        stack = []
        for i in range(self.n_down):
            hidden_states = self.layers[i](hidden_states, embed_anchor, position_embeddings,
                                           per_layer_values[i], attention_mask)
            stack.append(hidden_states)
        for j in range(self.n_up):
            hidden_states = hidden_states + self.skip_gains[j] * stack.pop()
            layer_idx = self.n_down + j
            hidden_states = self.layers[layer_idx](hidden_states, embed_anchor, position_embeddings,
                                                   per_layer_values[layer_idx], attention_mask)
        return swift_rms(hidden_states, self.config.norm_eps)


class SwiftForCausalLM(SwiftPreTrainedModel):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.model = SwiftModel(config)
        self.unembed = SwiftLinear(config.hidden_size, config.vocab_size)  # not tied to embed_tokens
        self.unembed.weight.data.zero_()

    def forward(self, input_ids=None, labels=None, window_tokens=None):
        hidden_states = self.model(input_ids=input_ids, window_tokens=window_tokens)
        logits = self.unembed(hidden_states)
        cap = self.config.final_logit_cap
        logits = cap * torch.tanh(logits / cap)
        logits = logits.float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))


# ----------------------------------------------------------------------------- optimizer

def polar_factor_quintic(grad, steps=5, eps=1e-7):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = grad.to(torch.bfloat16)
    X = X / (X.norm() + eps)
    flip = grad.size(0) > grad.size(1)
    if flip:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + b * (A @ X) + c * (A @ (A @ X))
    return X.T if flip else X


class ShardedOrthoMomentum(torch.optim.Optimizer):
    """Nesterov momentum followed by orthogonalization; each rank owns every world_size-th matrix."""

    def __init__(self, params, lr=0.04, momentum=0.95, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))
        self.rank = dist.get_rank()
        self.world = dist.get_world_size()

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group["params"]
            sizes = [p.numel() for p in params]
            bounds = [0, *itertools.accumulate(sizes)]
            packed = torch.zeros(bounds[-1], dtype=torch.bfloat16, device=params[0].device)
            for idx, p in enumerate(params):
                if idx % self.world != self.rank or p.grad is None:
                    continue
                state = self.state[p]
                if "momentum" not in state:
                    state["momentum"] = torch.zeros_like(p.grad)
                buf = state["momentum"]
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"])
                g = polar_factor_quintic(g, steps=group["ns_steps"])
                g = g * math.sqrt(max(1.0, p.size(0) / p.size(1)))
                packed[bounds[idx]:bounds[idx + 1]] = g.flatten()
            dist.all_reduce(packed, op=dist.ReduceOp.SUM)
            for idx, p in enumerate(params):
                p.add_(packed[bounds[idx]:bounds[idx + 1]].view_as(p).to(p.dtype), alpha=-group["lr"])


# ----------------------------------------------------------------------------- data

def open_shard(path):
    header = np.fromfile(path, dtype=np.int32, count=256)
    assert header[0] == 20240520, "bad magic"
    return np.memmap(path, dtype=np.uint16, mode="r", offset=1024, shape=(int(header[2]),))


def packed_stream(pattern, tokens_per_rank, rank, world):
    files = sorted(glob.glob(pattern))
    for path in itertools.cycle(files):
        shard = open_shard(path)
        span = tokens_per_rank * world
        for start in range(0, len(shard) - span - 1, span):
            chunk = np.asarray(shard[start + rank * tokens_per_rank: start + (rank + 1) * tokens_per_rank + 1])
            chunk = torch.from_numpy(chunk.astype(np.int64)).cuda(non_blocking=True)
            yield chunk[:-1].to(torch.int32), chunk[1:]


# ----------------------------------------------------------------------------- training

TRAINING_ARGS = dict(
    train_files=os.environ.get("SWIFT_TRAIN", "data/fineweb_train_*.bin"),
    seq_len=64 * 1024,
    max_steps=1750,
    cooldown_frac=0.4,
    logging_steps=1,
    window_min=64,
    window_max=1792,
)


def main(args=TRAINING_ARGS):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)

    config = SwiftConfig()
    model = SwiftForCausalLM(config).cuda().bfloat16()
    for module in model.modules():
        if isinstance(module, SwiftLinear):
            module.float()
    model = torch.compile(model)
    ddp = DistributedDataParallel(model, device_ids=[local_rank])
    core = model._orig_mod
    layer_params = list(core.model.layers.parameters())
    hidden_mats = [p for p in layer_params if p.ndim == 2]
    small_params = [p for p in layer_params if p.ndim < 2] + [core.model.skip_gains]
    adam = torch.optim.Adam(
        [
            dict(params=[core.model.embed_tokens.weight, core.model.value_tables.weight], lr=0.6),
            dict(params=[core.unembed.weight], lr=0.008),
            dict(params=small_params, lr=0.04),
        ],
        betas=(0.8, 0.95), fused=True,
    )
    ortho = ShardedOrthoMomentum(hidden_mats, lr=0.04, momentum=0.95)
    optimizers = [adam, ortho]
    for g in (g for opt in optimizers for g in opt.param_groups):
        g["initial_lr"] = g["lr"]

    def lr_factor(step):
        remaining = 1.0 - step / args["max_steps"]
        return 1.0 if remaining >= args["cooldown_frac"] else remaining / args["cooldown_frac"]

    loader = packed_stream(args["train_files"], args["seq_len"], rank, world)
    t0 = time.perf_counter()
    for step in range(args["max_steps"]):
        frac = step / args["max_steps"]
        width = args["window_min"] + frac * (args["window_max"] - args["window_min"])
        window_tokens = torch.tensor(64 * int(width // 64), dtype=torch.int32, device="cuda")

        input_ids, labels = next(loader)
        loss = ddp(input_ids=input_ids, labels=labels, window_tokens=window_tokens)
        loss.backward()

        warm = min(step / 300, 1.0)
        for g in ortho.param_groups:
            g["momentum"] = 0.85 + warm * (0.95 - 0.85)
        scale = lr_factor(step)
        for opt in optimizers:
            for g in opt.param_groups:
                g["lr"] = g["initial_lr"] * scale
            opt.step()
        ddp.zero_grad(set_to_none=True)

        if rank == 0 and step % args["logging_steps"] == 0:
            elapsed = time.perf_counter() - t0
            print(f"step {step} | loss {loss.item():.4f} | lr_scale {scale:.3f} | window {int(window_tokens)} | {elapsed:.1f}s")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
