#!/usr/bin/env python
# coding=utf-8
"""
Pretrain a small GPT-style causal LM on pre-tokenized FineWeb shards with
HuggingFace Accelerate.

    accelerate launch --num_processes 8 hf_accelerate_gpt.py \
        --model_name_or_path speedgpt-124m --output_dir runs/speedgpt

The model follows the transformers conventions (config class, PreTrainedModel
subclass, ``from_pretrained`` factory) so checkpoints can be pushed and loaded
like any other causal LM.
"""
import argparse
import glob
import math
import os
import time
from contextlib import nullcontext

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from accelerate import Accelerator
from accelerate.logging import get_logger
from accelerate.utils import set_seed
from transformers import PretrainedConfig, PreTrainedModel, get_cosine_schedule_with_warmup
from transformers.modeling_outputs import CausalLMOutput

logger = get_logger(__name__)


# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------

SPEEDGPT_PRETRAINED_CONFIG_ARCHIVE_MAP = {
    "speedgpt-124m": dict(n_layer=12, n_head=12, n_embd=768),
    "speedgpt-350m": dict(n_layer=24, n_head=16, n_embd=1024),
    "speedgpt-774m": dict(n_layer=36, n_head=20, n_embd=1280),
}


class SpeedGPTConfig(PretrainedConfig):
    model_type = "speedgpt"
    keys_to_ignore_at_inference = ["past_key_values"]
    attribute_map = {
        "hidden_size": "n_embd",
        "num_attention_heads": "n_head",
        "num_hidden_layers": "n_layer",
        "max_position_embeddings": "n_positions",
    }

    def __init__(
        self,
        vocab_size=50304,
        n_positions=1024,
        n_embd=768,
        n_layer=12,
        n_head=12,
        rope_theta=10000.0,
        mlp_ratio=4,
        hidden_act="relu2",
        use_qk_norm=True,
        zero_init_output_proj=True,
        initializer_range=0.02,
        tie_word_embeddings=True,
        **kwargs,
    ):
        self.vocab_size = vocab_size
        self.n_positions = n_positions
        self.n_embd = n_embd
        self.n_layer = n_layer
        self.n_head = n_head
        self.rope_theta = rope_theta
        self.mlp_ratio = mlp_ratio
        self.hidden_act = hidden_act
        self.use_qk_norm = use_qk_norm
        self.zero_init_output_proj = zero_init_output_proj
        self.initializer_range = initializer_range
        super().__init__(tie_word_embeddings=tie_word_embeddings, **kwargs)

    @classmethod
    def from_name(cls, name, **kwargs):
        if name not in SPEEDGPT_PRETRAINED_CONFIG_ARCHIVE_MAP:
            raise ValueError(f"unknown config {name}; choose from {list(SPEEDGPT_PRETRAINED_CONFIG_ARCHIVE_MAP)}")
        base = dict(SPEEDGPT_PRETRAINED_CONFIG_ARCHIVE_MAP[name])
        base.update(kwargs)
        return cls(**base)


# ---------------------------------------------------------------------------
# Modeling
# ---------------------------------------------------------------------------

ACT2FN = {
    "gelu": lambda x: F.gelu(x, approximate="tanh"),
    "relu": F.relu,
    "relu2": lambda x: F.relu(x).square(),
    "silu": F.silu,
}


class SpeedGPTRotaryEmbedding(nn.Module):
    def __init__(self, head_dim, base=10000.0):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2).float() / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        self._seq_len_cached = None
        self._cos_cached = None
        self._sin_cached = None

    def forward(self, x):
        seq_len = x.shape[1]
        if seq_len != self._seq_len_cached:
            self._seq_len_cached = seq_len
            t = torch.arange(seq_len, device=x.device).type_as(self.inv_freq)
            freqs = torch.outer(t, self.inv_freq).to(x.device)
            self._cos_cached = freqs.cos().bfloat16()
            self._sin_cached = freqs.sin().bfloat16()
        return self._cos_cached[None, :, None, :], self._sin_cached[None, :, None, :]


def apply_rotary_pos_emb(x, cos, sin):
    d = x.shape[3] // 2
    x1, x2 = x[..., :d], x[..., d:]
    y1 = x1 * cos + x2 * sin
    y2 = x1 * (-sin) + x2 * cos
    return torch.cat([y1, y2], dim=3).type_as(x)


class SpeedGPTAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.head_dim = config.n_embd // config.n_head
        assert self.n_embd % self.n_head == 0
        self.c_attn = nn.Linear(self.n_embd, 3 * self.n_embd, bias=False)
        self.c_proj = nn.Linear(self.n_embd, self.n_embd, bias=False)
        self.rotary_emb = SpeedGPTRotaryEmbedding(self.head_dim, base=config.rope_theta)
        self.use_qk_norm = config.use_qk_norm

    def forward(self, hidden_states):
        B, T, C = hidden_states.size()
        qkv = self.c_attn(hidden_states)
        q, k, v = qkv.split(self.n_embd, dim=2)
        q = q.view(B, T, self.n_head, self.head_dim)
        k = k.view(B, T, self.n_head, self.head_dim)
        v = v.view(B, T, self.n_head, self.head_dim)
        cos, sin = self.rotary_emb(q)
        if self.use_qk_norm:
            q = F.rms_norm(q, (q.size(-1),))
            k = F.rms_norm(k, (k.size(-1),))
        q = apply_rotary_pos_emb(q, cos, sin)
        k = apply_rotary_pos_emb(k, cos, sin)
        attn_output = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True
        )
        attn_output = attn_output.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(attn_output)


class SpeedGPTMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        inner = config.mlp_ratio * config.n_embd
        self.c_fc = nn.Linear(config.n_embd, inner, bias=False)
        self.c_proj = nn.Linear(inner, config.n_embd, bias=False)
        self.act = ACT2FN[config.hidden_act]

    def forward(self, hidden_states):
        return self.c_proj(self.act(self.c_fc(hidden_states)))


class SpeedGPTBlock(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attn = SpeedGPTAttention(config)
        self.mlp = SpeedGPTMLP(config)

    def forward(self, hidden_states):
        hidden_states = hidden_states + self.attn(F.rms_norm(hidden_states, (hidden_states.size(-1),)))
        hidden_states = hidden_states + self.mlp(F.rms_norm(hidden_states, (hidden_states.size(-1),)))
        return hidden_states


class SpeedGPTPreTrainedModel(PreTrainedModel):
    config_class = SpeedGPTConfig
    base_model_prefix = "transformer"
    supports_gradient_checkpointing = False
    _no_split_modules = ["SpeedGPTBlock"]

    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=std)


class SpeedGPTModel(SpeedGPTPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.h = nn.ModuleList([SpeedGPTBlock(config) for _ in range(config.n_layer)])
        self.post_init()

    def get_input_embeddings(self):
        return self.wte

    def set_input_embeddings(self, new_embeddings):
        self.wte = new_embeddings

    def forward(self, input_ids):
        x = self.wte(input_ids)
        for block in self.h:
            x = block(x)
        return F.rms_norm(x, (x.size(-1),))


class SpeedGPTForCausalLM(SpeedGPTPreTrainedModel):
    _tied_weights_keys = ["lm_head.weight"]

    def __init__(self, config):
        super().__init__(config)
        self.transformer = SpeedGPTModel(config)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.post_init()
        if config.zero_init_output_proj:
            for block in self.transformer.h:
                nn.init.zeros_(block.attn.c_proj.weight)
                nn.init.zeros_(block.mlp.c_proj.weight)

    def get_output_embeddings(self):
        return self.lm_head

    def set_output_embeddings(self, new_embeddings):
        self.lm_head = new_embeddings

    def tie_weights(self, **kwargs):
        if self.config.tie_word_embeddings:
            self.lm_head.weight = self.transformer.wte.weight

    def forward(self, input_ids, labels=None, return_logits=True):
        hidden_states = self.transformer(input_ids)
        logits = self.lm_head(hidden_states)
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), ignore_index=-100)
        if not return_logits:
            return CausalLMOutput(loss=loss)
        return CausalLMOutput(loss=loss, logits=logits.float())

    @classmethod
    def from_pretrained_or_name(cls, name_or_path, **config_overrides):
        if os.path.isdir(name_or_path):
            return cls.from_pretrained(name_or_path, **config_overrides)
        config = SpeedGPTConfig.from_name(name_or_path, **config_overrides)
        return cls(config)


# ---------------------------------------------------------------------------
# Optimizer: orthogonalized momentum for the hidden matrices
# ---------------------------------------------------------------------------

def newton_schulz_orthogonalize(G, steps=5, eps=1e-7):
    assert G.ndim == 2
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    transposed = G.size(0) > G.size(1)
    if transposed:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    if transposed:
        X = X.T
    return X.to(G.dtype)


class Muon(torch.optim.Optimizer):
    """SGD-Nesterov followed by a Newton-Schulz orthogonalization of the update."""

    def __init__(self, params, lr=3.6e-4, momentum=0.95, nesterov=True, ns_steps=5):
        defaults = dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, mom = group["lr"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(g)
                buf = state["momentum_buffer"]
                buf.mul_(mom).add_(g)
                if group["nesterov"]:
                    g = g.add(buf, alpha=mom)
                rows, cols = g.shape
                if rows == 3 * cols:
                    blocks = [newton_schulz_orthogonalize(gi, steps=group["ns_steps"]) for gi in g.split(cols)]
                    update = torch.cat([u * max(u.size(0), u.size(1)) ** 0.5 for u in blocks])
                else:
                    update = newton_schulz_orthogonalize(g, steps=group["ns_steps"])
                    update = update * max(rows, cols) ** 0.5
                p.add_(update, alpha=-lr)
        return loss


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def _load_shard(path):
    header = np.fromfile(path, dtype=np.int32, count=256)
    assert header[0] == 20240520, "magic number mismatch in the data .bin file"
    assert header[1] == 1, "unsupported version"
    ntok = int(header[2])
    with open(path, "rb") as f:
        f.seek(256 * 4)
        tokens = np.frombuffer(f.read(), dtype=np.uint16)
    assert len(tokens) == ntok, "number of tokens read does not match header"
    return tokens


class ShardedTokenStream:
    def __init__(self, pattern, batch_size, seq_len, rank, world_size):
        self.files = sorted(glob.glob(pattern))
        assert self.files, f"did not find any files that match the pattern {pattern}"
        self.B, self.T = batch_size, seq_len
        self.rank, self.world_size = rank, world_size
        self.reset()

    def reset(self):
        self.shard_idx = 0
        self.tokens = _load_shard(self.files[self.shard_idx])
        self.pos = self.rank * self.B * self.T

    def _advance(self):
        self.shard_idx = (self.shard_idx + 1) % len(self.files)
        self.tokens = _load_shard(self.files[self.shard_idx])
        self.pos = self.rank * self.B * self.T

    def next_batch(self, device):
        B, T = self.B, self.T
        buf = self.tokens[self.pos : self.pos + B * T + 1]
        buf = torch.tensor(buf.astype(np.int64), dtype=torch.long)
        x = buf[:-1].view(B, T)
        y = buf[1:].view(B, T)
        self.pos += B * T * self.world_size
        if self.pos + B * T * self.world_size + 1 > len(self.tokens):
            self._advance()
        return x.to(device), y.to(device)


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------

def parse_args():
    parser = argparse.ArgumentParser(description="Pretrain SpeedGPT with Accelerate")
    parser.add_argument("--model_name_or_path", type=str, default="speedgpt-124m")
    parser.add_argument("--train_files", type=str, default="data/fineweb10B/fineweb_train_*.bin")
    parser.add_argument("--validation_files", type=str, default="data/fineweb10B/fineweb_val_*.bin")
    parser.add_argument("--output_dir", type=str, default="runs/speedgpt")
    parser.add_argument("--per_device_train_batch_size", type=int, default=16)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=2)
    parser.add_argument("--block_size", type=int, default=1024)
    parser.add_argument("--learning_rate", type=float, default=0.0036)
    parser.add_argument("--muon_lr_ratio", type=float, default=0.1)
    parser.add_argument("--weight_decay", type=float, default=0.1)
    parser.add_argument("--adam_beta1", type=float, default=0.9)
    parser.add_argument("--adam_beta2", type=float, default=0.95)
    parser.add_argument("--max_train_steps", type=int, default=6200)
    parser.add_argument("--num_warmup_steps", type=int, default=250)
    parser.add_argument("--eval_every", type=int, default=250)
    parser.add_argument("--val_tokens", type=int, default=10485760)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--compile", action="store_true", default=True)
    parser.add_argument("--no_compile", dest="compile", action="store_false")
    parser.add_argument("--save_every", type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    accelerator = Accelerator(
        mixed_precision="bf16",
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        log_with=None,
    )
    set_seed(args.seed)
    device = accelerator.device
    if accelerator.is_main_process:
        os.makedirs(args.output_dir, exist_ok=True)

    model = SpeedGPTForCausalLM.from_pretrained_or_name(args.model_name_or_path)
    config = model.config
    logger.info(f"model config: {config.to_json_string()}", main_process_only=True)
    n_params = sum(p.numel() for p in model.parameters())
    logger.info(f"number of parameters: {n_params / 1e6:.2f}M", main_process_only=True)

    hidden_matrix_params = [p for p in model.transformer.h.parameters()]
    embed_params = [model.transformer.wte.weight]
    adamw = torch.optim.AdamW(
        embed_params,
        lr=args.learning_rate,
        betas=(args.adam_beta1, args.adam_beta2),
        weight_decay=args.weight_decay,
        fused=True,
    )
    muon = Muon(hidden_matrix_params, lr=args.muon_lr_ratio * args.learning_rate, momentum=0.95)
    optimizers = [adamw, muon]
    schedulers = [
        get_cosine_schedule_with_warmup(opt, args.num_warmup_steps, args.max_train_steps) for opt in optimizers
    ]

    model, adamw, muon = accelerator.prepare(model, adamw, muon)
    optimizers = [adamw, muon]
    if args.compile:
        model = torch.compile(model)

    train_stream = ShardedTokenStream(
        args.train_files, args.per_device_train_batch_size, args.block_size,
        accelerator.process_index, accelerator.num_processes,
    )
    val_stream = ShardedTokenStream(
        args.validation_files, args.per_device_train_batch_size, args.block_size,
        accelerator.process_index, accelerator.num_processes,
    )
    tokens_per_step = (
        args.per_device_train_batch_size * args.block_size
        * args.gradient_accumulation_steps * accelerator.num_processes
    )
    val_steps = args.val_tokens // (args.per_device_train_batch_size * args.block_size * accelerator.num_processes)
    logger.info(f"tokens per optimizer step: {tokens_per_step}", main_process_only=True)

    def evaluate():
        model.eval()
        val_stream.reset()
        total = torch.zeros((), device=device)
        with torch.no_grad():
            for _ in range(val_steps):
                x, y = val_stream.next_batch(device)
                with accelerator.autocast():
                    out = model(x, labels=y, return_logits=False)
                total += out.loss.detach()
        total /= val_steps
        total = accelerator.reduce(total, reduction="mean")
        model.train()
        return total.item()

    model.train()
    t0 = time.perf_counter()
    for step in range(args.max_train_steps + 1):
        last_step = step == args.max_train_steps
        if step % args.eval_every == 0 or last_step:
            val_loss = evaluate()
            accelerator.print(f"step:{step}/{args.max_train_steps} val_loss:{val_loss:.4f}")
            if last_step:
                break

        stance = torch.compiler.set_stance(skip_guard_eval_unsafe=True) if step >= 5 else nullcontext()
        with stance:
            for micro in range(args.gradient_accumulation_steps):
                x, y = train_stream.next_batch(device)
                with accelerator.accumulate(model):
                    with accelerator.autocast():
                        out = model(x, labels=y, return_logits=False)
                    accelerator.backward(out.loss)
        for opt, sched in zip(optimizers, schedulers):
            opt.step()
            sched.step()
        model.zero_grad(set_to_none=True)

        if accelerator.is_main_process and step % 10 == 0:
            elapsed = time.perf_counter() - t0
            accelerator.print(
                f"step:{step + 1}/{args.max_train_steps} train_loss:{out.loss.item():.4f} "
                f"lr:{schedulers[0].get_last_lr()[0]:.2e} time:{elapsed:.1f}s"
            )
        if args.save_every and step > 0 and step % args.save_every == 0:
            accelerator.wait_for_everyone()
            unwrapped = accelerator.unwrap_model(model)
            unwrapped.save_pretrained(
                os.path.join(args.output_dir, f"step_{step}"),
                is_main_process=accelerator.is_main_process,
                save_function=accelerator.save,
            )

    accelerator.wait_for_everyone()
    unwrapped = accelerator.unwrap_model(model)
    unwrapped.save_pretrained(args.output_dir, is_main_process=accelerator.is_main_process, save_function=accelerator.save)
    accelerator.print(f"peak memory: {torch.cuda.max_memory_allocated() // 1024 // 1024} MiB")
    accelerator.end_training()


if __name__ == "__main__":
    main()
