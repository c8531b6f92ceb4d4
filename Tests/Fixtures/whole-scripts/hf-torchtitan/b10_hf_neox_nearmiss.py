# coding=utf-8
"""NeoxLite: GPT-NeoX-like causal LM (parallel residual) with a minimal pretraining loop.

Modeling classes follow the transformers naming scheme; training uses AdamW only.
"""
import math
import os
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP


class NeoxLiteConfig:
    def __init__(self, vocab_size=50257, make_vocab_size_divisible_by=128, hidden_size=768,
                 num_hidden_layers=12, num_attention_heads=12, rotary_pct=0.25, rotary_emb_base=10000,
                 max_position_embeddings=2048, layer_norm_eps=1e-5, use_parallel_residual=True,
                 attention_output_multiplier=0.12, output_softcap=15.0, fp8_mlp=True, initializer_range=0.02):
        m = make_vocab_size_divisible_by
        self.vocab_size = ((vocab_size + m - 1) // m) * m
        self.hidden_size = hidden_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.rotary_pct = rotary_pct
        self.rotary_emb_base = rotary_emb_base
        self.max_position_embeddings = max_position_embeddings
        self.layer_norm_eps = layer_norm_eps
        self.use_parallel_residual = use_parallel_residual
        self.attention_output_multiplier = attention_output_multiplier
        self.output_softcap = output_softcap
        self.fp8_mlp = fp8_mlp
        self.initializer_range = initializer_range


class _Fp8Matmul(torch.autograd.Function):
    """e4m3 forward GEMM for the MLP expansion; gradients are computed in bf16."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        x2 = x.reshape(-1, x.size(-1))
        xs = x2.abs().amax().clamp(min=1e-12) / 448.0
        ws = w.abs().amax().clamp(min=1e-12) / 448.0
        out = torch._scaled_mm((x2 / xs).to(torch.float8_e4m3fn), (w / ws).to(torch.float8_e4m3fn).t(),
                               scale_a=xs.float(), scale_b=ws.float(), out_dtype=torch.bfloat16)
        return out.view(*x.shape[:-1], -1).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        grad = grad.to(torch.bfloat16)
        gx = grad @ w.to(torch.bfloat16)
        gw = grad.reshape(-1, grad.size(-1)).t() @ x.reshape(-1, x.size(-1)).to(torch.bfloat16)
        return gx, gw.to(w.dtype)


class NeoxLiteRopeCache(nn.Module):
    def __init__(self, dim, max_positions, base):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
        t = torch.arange(max_positions).float()
        emb = torch.cat([torch.outer(t, inv_freq)] * 2, dim=-1)
        self.register_buffer("cos_cached", emb.cos()[None, None], persistent=False)
        self.register_buffer("sin_cached", emb.sin()[None, None], persistent=False)

    def forward(self, seq_len):
        return self.cos_cached[:, :, :seq_len], self.sin_cached[:, :, :seq_len]


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class NeoxLiteAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_heads = config.num_attention_heads
        self.head_size = config.hidden_size // self.num_heads
        self.rotary_ndims = int(self.head_size * config.rotary_pct)
        self.rotary_emb = NeoxLiteRopeCache(self.rotary_ndims, config.max_position_embeddings,
                                                  config.rotary_emb_base)
        self.query_key_value = nn.Linear(config.hidden_size, 3 * config.hidden_size)
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.out_mult = config.attention_output_multiplier

    def forward(self, hidden_states):
        b, t, _ = hidden_states.shape
        qkv = self.query_key_value(hidden_states).view(b, t, self.num_heads, 3 * self.head_size)
        q, k, v = qkv.permute(0, 2, 1, 3).chunk(3, dim=-1)
        cos, sin = self.rotary_emb(t)
        r = self.rotary_ndims
        q_rot = q[..., :r] * cos + rotate_half(q[..., :r]) * sin
        k_rot = k[..., :r] * cos + rotate_half(k[..., :r]) * sin
        q = torch.cat((q_rot, q[..., r:]), dim=-1)
        k = torch.cat((k_rot, k[..., r:]), dim=-1)
        attn = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        attn = attn.transpose(1, 2).reshape(b, t, -1)
        # muP-style fixed multiplier on the attention branch output
        return self.dense(attn) * self.out_mult


class NeoxLiteMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fp8 = config.fp8_mlp
        self.dense_h_to_4h = nn.Linear(config.hidden_size, 4 * config.hidden_size, bias=False)
        self.dense_4h_to_h = nn.Linear(4 * config.hidden_size, config.hidden_size, bias=False)

    def forward(self, x):
        if self.fp8 and self.training:
            h = _Fp8Matmul.apply(x, self.dense_h_to_4h.weight)
        else:
            h = self.dense_h_to_4h(x)
        return self.dense_4h_to_h(F.gelu(h))


class NeoxLiteLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.use_parallel_residual = config.use_parallel_residual
        self.input_layernorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.post_attention_layernorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.attention = NeoxLiteAttention(config)
        self.mlp = NeoxLiteMLP(config)

    def forward(self, hidden_states):
        attn_out = self.attention(self.input_layernorm(hidden_states))
        if self.use_parallel_residual:
            return hidden_states + attn_out + self.mlp(self.post_attention_layernorm(hidden_states))
        hidden_states = hidden_states + attn_out
        return hidden_states + self.mlp(self.post_attention_layernorm(hidden_states))


class NeoxLitePreTrainedModel(nn.Module):
    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)


class NeoxLiteForCausalLM(NeoxLitePreTrainedModel):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embed_in = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList([NeoxLiteLayer(config) for _ in range(config.num_hidden_layers)])
        self.final_layer_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.embed_out = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.apply(self._init_weights)

    def forward(self, input_ids=None, labels=None):
        hidden_states = self.embed_in(input_ids)
        for layer in self.layers:
            hidden_states = layer(hidden_states)
        logits = self.embed_out(self.final_layer_norm(hidden_states)).float()
        cap = self.config.output_softcap
        logits = cap * torch.tanh(logits / cap)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)), labels[:, 1:].reshape(-1))
        return loss, logits


# ------------------------------------------------------------------------------------ training

@dataclass
class TrainingArguments:
    data_path: str = "data/train.bin"
    per_device_train_batch_size: int = 16
    max_seq_length: int = 2048
    learning_rate: float = 6e-4
    embed_out_lr_multiplier: float = 2.0     # only the output projection gets the larger step
    weight_decay: float = 0.1
    adam_beta1: float = 0.9
    adam_beta2: float = 0.95
    adam_epsilon: float = 1e-10
    max_steps: int = 20000
    warmup_steps: int = 200
    decay_fraction: float = 0.4
    final_lr_fraction: float = 0.1
    max_grad_norm: float = 1.0
    logging_steps: int = 20


def lr_lambda_factory(args):
    decay_start = int(args.max_steps * (1 - args.decay_fraction))

    def fn(step):
        if step < args.warmup_steps:
            return step / max(1, args.warmup_steps)
        if step < decay_start:
            return 1.0
        progress = (step - decay_start) / max(1, args.max_steps - decay_start)
        return 1.0 - (1.0 - args.final_lr_fraction) * progress
    return fn


def param_groups(model, args):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if name.startswith("embed_out"):
            continue
        (no_decay if p.ndim < 2 else decay).append(p)
    return [
        {"params": decay, "weight_decay": args.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
        {"params": [model.embed_out.weight], "weight_decay": args.weight_decay,
         "lr": args.learning_rate * args.embed_out_lr_multiplier},
    ]


def train(args: TrainingArguments):
    distributed = "RANK" in os.environ
    if distributed:
        dist.init_process_group("nccl")
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1

    model = NeoxLiteForCausalLM(NeoxLiteConfig()).cuda()
    wrapped = DDP(model, device_ids=[torch.cuda.current_device()]) if distributed else model
    optimizer = torch.optim.AdamW(param_groups(model, args), lr=args.learning_rate,
                                  betas=(args.adam_beta1, args.adam_beta2), eps=args.adam_epsilon)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda_factory(args))

    data = np.memmap(args.data_path, dtype=np.uint16, mode="r")
    B, T = args.per_device_train_batch_size, args.max_seq_length
    rng = np.random.default_rng(1234 + rank)
    start = time.time()
    for step in range(args.max_steps):
        idx = rng.integers(0, len(data) - T - 1, size=B)
        batch = torch.from_numpy(np.stack([data[i:i + T + 1].astype(np.int64) for i in idx])).cuda()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss, _ = wrapped(input_ids=batch[:, :-1], labels=batch[:, :-1])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        if rank == 0 and step % args.logging_steps == 0:
            tok_s = B * T * world * (step + 1) / (time.time() - start)
            print(f"step={step} loss={loss.item():.4f} lr={scheduler.get_last_lr()[0]:.2e} tok/s={tok_s:,.0f}")
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    train(TrainingArguments(data_path=os.environ.get("NEOX_DATA", "data/train.bin")))
