# coding=utf-8
# Copyright 2025 The Sparrow Authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
"""PyTorch Sparrow model: a small decoder-only LM written in the `transformers` modeling-file idiom,
followed by a compact Trainer-style pretraining loop."""

import glob
import math
import os
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.lr_scheduler import LambdaLR

try:  # pragma: no cover - use the real thing if it is installed
    from transformers import PretrainedConfig, PreTrainedModel
    from transformers.modeling_outputs import CausalLMOutputWithPast
except ImportError:  # minimal stand-ins so the file runs without transformers

    class PretrainedConfig:
        model_type = ""

        def __init__(self, **kwargs):
            for k, v in kwargs.items():
                setattr(self, k, v)

    class PreTrainedModel(nn.Module):
        config_class = PretrainedConfig
        base_model_prefix = "model"

        def __init__(self, config, *inputs, **kwargs):
            super().__init__()
            self.config = config

        def post_init(self):
            self.apply(self._init_weights)

    @dataclass
    class CausalLMOutputWithPast:
        loss: Optional[torch.Tensor] = None
        logits: Optional[torch.Tensor] = None
        past_key_values: Optional[tuple] = None
        hidden_states: Optional[tuple] = None
        attentions: Optional[tuple] = None


logger_prefix = "[sparrow]"


class SparrowConfig(PretrainedConfig):
    r"""
    Configuration class for [`SparrowModel`].

    Args:
        vocab_size (`int`, *optional*, defaults to 50304):
            GPT-2 BPE has 50257 entries; we round up to a multiple of 128 for tensor-core friendly GEMMs.
        hidden_size (`int`, *optional*, defaults to 768)
        intermediate_size (`int`, *optional*, defaults to 3072)
        num_hidden_layers (`int`, *optional*, defaults to 12)
        num_attention_heads (`int`, *optional*, defaults to 6):
            Six heads of width 128 at hidden size 768.
        hidden_act (`str`, *optional*, defaults to `"relu2"`)
        rope_theta (`float`, *optional*, defaults to 10000.0)
        use_qk_norm (`bool`, *optional*, defaults to `True`):
            Parameter-free RMS normalization of queries and keys over the head dimension.
        embedding_norm (`bool`, *optional*, defaults to `True`):
            Apply a parameter-free RMSNorm to the token embeddings before the first decoder layer.
        final_logit_softcapping (`float`, *optional*, defaults to 30.0)
        zero_init_residual_projections (`bool`, *optional*, defaults to `True`)
        zero_init_lm_head (`bool`, *optional*, defaults to `True`)
        tie_word_embeddings (`bool`, *optional*, defaults to `False`)
    """

    model_type = "sparrow"
    keys_to_ignore_at_inference = ["past_key_values"]

    def __init__(
        self,
        vocab_size=50304,
        hidden_size=768,
        intermediate_size=3072,
        num_hidden_layers=12,
        num_attention_heads=6,
        head_dim=None,
        hidden_act="relu2",
        max_position_embeddings=1024,
        initializer_range=0.02,
        rms_norm_eps=1e-6,
        rope_theta=10000.0,
        attention_bias=False,
        mlp_bias=False,
        attention_dropout=0.0,
        use_qk_norm=True,
        embedding_norm=True,
        final_logit_softcapping=30.0,
        zero_init_residual_projections=True,
        zero_init_lm_head=True,
        tie_word_embeddings=False,
        bos_token_id=50256,
        eos_token_id=50256,
        pad_token_id=None,
        **kwargs,
    ):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.intermediate_size = intermediate_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.head_dim = head_dim if head_dim is not None else hidden_size // num_attention_heads
        self.hidden_act = hidden_act
        self.max_position_embeddings = max_position_embeddings
        self.initializer_range = initializer_range
        self.rms_norm_eps = rms_norm_eps
        self.rope_theta = rope_theta
        self.attention_bias = attention_bias
        self.mlp_bias = mlp_bias
        self.attention_dropout = attention_dropout
        self.use_qk_norm = use_qk_norm
        self.embedding_norm = embedding_norm
        self.final_logit_softcapping = final_logit_softcapping
        self.zero_init_residual_projections = zero_init_residual_projections
        self.zero_init_lm_head = zero_init_lm_head
        self.tie_word_embeddings = tie_word_embeddings
        self.bos_token_id = bos_token_id
        self.eos_token_id = eos_token_id
        self.pad_token_id = pad_token_id
        super().__init__(**kwargs)


# ---------------------------------------------------------------------------------------------
# activations


class ReLUSquaredActivation(nn.Module):
    """Primer's squared ReLU."""

    def forward(self, input):
        relu_applied = nn.functional.relu(input)
        return torch.square(relu_applied)


ACT2FN = {
    "gelu": nn.GELU(approximate="tanh"),
    "relu": nn.ReLU(),
    "relu2": ReLUSquaredActivation(),
    "silu": nn.SiLU(),
}


# ---------------------------------------------------------------------------------------------
# building blocks


class SparrowRMSNorm(nn.Module):
    def __init__(self, hidden_size, eps=1e-6, elementwise_affine=True):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(hidden_size)) if elementwise_affine else None

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.eps)
        if self.weight is not None:
            hidden_states = self.weight * hidden_states
        return hidden_states.to(input_dtype)


class SparrowRotaryEmbedding(nn.Module):
    def __init__(self, config: SparrowConfig, device=None):
        super().__init__()
        dim = config.head_dim
        base = config.rope_theta
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float().to(device) / dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    @torch.no_grad()
    def forward(self, x, position_ids):
        inv_freq_expanded = self.inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
        position_ids_expanded = position_ids[:, None, :].float()
        freqs = (inv_freq_expanded @ position_ids_expanded).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(x.dtype), emb.sin().to(x.dtype)


def rotate_half(x):
    """Rotates half the hidden dims of the input."""
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin, unsqueeze_dim=1):
    cos = cos.unsqueeze(unsqueeze_dim)
    sin = sin.unsqueeze(unsqueeze_dim)
    q_embed = (q * cos) + (rotate_half(q) * sin)
    k_embed = (k * cos) + (rotate_half(k) * sin)
    return q_embed, k_embed


class SparrowMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.up_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=config.mlp_bias)
        self.down_proj = nn.Linear(config.intermediate_size, config.hidden_size, bias=config.mlp_bias)
        self.down_proj._is_residual_out = True
        self.act_fn = ACT2FN[config.hidden_act]

    def forward(self, x):
        return self.down_proj(self.act_fn(self.up_proj(x)))


class SparrowAttention(nn.Module):
    def __init__(self, config: SparrowConfig, layer_idx: int):
        super().__init__()
        self.config = config
        self.layer_idx = layer_idx
        self.head_dim = config.head_dim
        self.num_heads = config.num_attention_heads
        self.attention_dropout = config.attention_dropout
        self.q_proj = nn.Linear(config.hidden_size, self.num_heads * self.head_dim, bias=config.attention_bias)
        self.k_proj = nn.Linear(config.hidden_size, self.num_heads * self.head_dim, bias=config.attention_bias)
        self.v_proj = nn.Linear(config.hidden_size, self.num_heads * self.head_dim, bias=config.attention_bias)
        self.o_proj = nn.Linear(self.num_heads * self.head_dim, config.hidden_size, bias=config.attention_bias)
        self.o_proj._is_residual_out = True
        if config.use_qk_norm:
            self.q_norm = SparrowRMSNorm(self.head_dim, eps=config.rms_norm_eps, elementwise_affine=False)
            self.k_norm = SparrowRMSNorm(self.head_dim, eps=config.rms_norm_eps, elementwise_affine=False)
        else:
            self.q_norm = self.k_norm = nn.Identity()

    def forward(self, hidden_states, position_embeddings: Tuple[torch.Tensor, torch.Tensor]):
        bsz, q_len, _ = hidden_states.shape
        hidden_shape = (bsz, q_len, -1, self.head_dim)
        query_states = self.q_norm(self.q_proj(hidden_states).view(hidden_shape)).transpose(1, 2)
        key_states = self.k_norm(self.k_proj(hidden_states).view(hidden_shape)).transpose(1, 2)
        value_states = self.v_proj(hidden_states).view(hidden_shape).transpose(1, 2)

        cos, sin = position_embeddings
        query_states, key_states = apply_rotary_pos_emb(query_states, key_states, cos, sin)

        attn_output = F.scaled_dot_product_attention(
            query_states,
            key_states,
            value_states,
            is_causal=True,
            dropout_p=self.attention_dropout if self.training else 0.0,
        )
        attn_output = attn_output.transpose(1, 2).reshape(bsz, q_len, -1).contiguous()
        return self.o_proj(attn_output)


class SparrowDecoderLayer(nn.Module):
    def __init__(self, config: SparrowConfig, layer_idx: int):
        super().__init__()
        self.self_attn = SparrowAttention(config=config, layer_idx=layer_idx)
        self.mlp = SparrowMLP(config)
        self.input_layernorm = SparrowRMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.post_attention_layernorm = SparrowRMSNorm(config.hidden_size, eps=config.rms_norm_eps)

    def forward(self, hidden_states, position_embeddings):
        residual = hidden_states
        hidden_states = self.input_layernorm(hidden_states)
        hidden_states = self.self_attn(hidden_states, position_embeddings=position_embeddings)
        hidden_states = residual + hidden_states

        residual = hidden_states
        hidden_states = self.post_attention_layernorm(hidden_states)
        hidden_states = self.mlp(hidden_states)
        hidden_states = residual + hidden_states
        return hidden_states


class SparrowPreTrainedModel(PreTrainedModel):
    config_class = SparrowConfig
    base_model_prefix = "model"
    supports_gradient_checkpointing = False
    _no_split_modules = ["SparrowDecoderLayer"]

    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            if getattr(module, "_is_residual_out", False) and self.config.zero_init_residual_projections:
                module.weight.data.zero_()
            elif getattr(module, "_is_lm_head", False) and self.config.zero_init_lm_head:
                module.weight.data.zero_()
            else:
                module.weight.data.normal_(mean=0.0, std=std)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=std)
        elif isinstance(module, SparrowRMSNorm) and module.weight is not None:
            module.weight.data.fill_(1.0)


class SparrowModel(SparrowPreTrainedModel):
    def __init__(self, config: SparrowConfig):
        super().__init__(config)
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size, config.pad_token_id)
        self.embed_norm = (
            SparrowRMSNorm(config.hidden_size, eps=config.rms_norm_eps, elementwise_affine=False)
            if config.embedding_norm
            else nn.Identity()
        )
        self.layers = nn.ModuleList(
            [SparrowDecoderLayer(config, layer_idx) for layer_idx in range(config.num_hidden_layers)]
        )
        self.norm = SparrowRMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.rotary_emb = SparrowRotaryEmbedding(config=config)
        self.post_init()

    def forward(self, input_ids, position_ids=None):
        inputs_embeds = self.embed_tokens(input_ids)
        hidden_states = self.embed_norm(inputs_embeds)
        if position_ids is None:
            position_ids = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        position_embeddings = self.rotary_emb(hidden_states, position_ids)
        for decoder_layer in self.layers:
            hidden_states = decoder_layer(hidden_states, position_embeddings)
        return self.norm(hidden_states)


class SparrowForCausalLM(SparrowPreTrainedModel):
    _tied_weights_keys = []

    def __init__(self, config):
        super().__init__(config)
        self.model = SparrowModel(config)
        self.vocab_size = config.vocab_size
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.lm_head._is_lm_head = True
        self.post_init()
        if config.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight

    def forward(self, input_ids, labels=None, position_ids=None):
        hidden_states = self.model(input_ids, position_ids=position_ids)
        logits = self.lm_head(hidden_states)
        if self.config.final_logit_softcapping is not None:
            logits = logits / self.config.final_logit_softcapping
            logits = torch.tanh(logits)
            logits = logits * self.config.final_logit_softcapping

        loss = None
        if labels is not None:
            # upcast so the softmax / log-sum-exp happens in full precision under bf16 autocast
            logits = logits.float()
            loss = F.cross_entropy(logits.view(-1, self.vocab_size), labels.view(-1), ignore_index=-100)
        return CausalLMOutputWithPast(loss=loss, logits=logits)


# ---------------------------------------------------------------------------------------------
# a tiny Trainer


@dataclass
class SparrowTrainingArguments:
    output_dir: str = "out/sparrow"
    train_files: str = "data/fineweb10B/fineweb_train_*.bin"
    per_device_train_batch_size: int = 32
    seq_length: int = 1024
    gradient_accumulation_steps: int = 2
    learning_rate: float = 6e-4
    weight_decay: float = 0.1
    adam_beta1: float = 0.9
    adam_beta2: float = 0.95
    adam_epsilon: float = 1e-8
    use_fused_adamw: bool = False  # flip on for the multi-tensor CUDA kernel
    max_steps: int = 6000
    warmup_steps: int = 256
    decay_steps: int = 2000
    unit_norm_gradients: bool = True
    logging_steps: int = 10
    save_steps: int = 0
    bf16: bool = True
    seed: int = 1337
    report_to: List[str] = field(default_factory=list)


def get_wsd_schedule(optimizer, num_warmup_steps, num_stable_steps, num_decay_steps, min_lr_ratio=0.0):
    """Warmup-stable-decay: linear ramp, flat plateau, linear ramp down to `min_lr_ratio`."""

    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return float(current_step + 1) / float(max(1, num_warmup_steps))
        if current_step < num_warmup_steps + num_stable_steps:
            return 1.0
        progress = float(current_step - num_warmup_steps - num_stable_steps) / float(max(1, num_decay_steps))
        progress = min(progress, 1.0)
        return min_lr_ratio + (1.0 - min_lr_ratio) * (1.0 - progress)

    return LambdaLR(optimizer, lr_lambda)


class ShardedTokenDataset:
    """Streams fixed-length windows out of uint16 .bin shards (256-int32 header)."""

    def __init__(self, pattern, batch_size, seq_len, rank=0, world=1):
        self.files = sorted(glob.glob(pattern))
        self.B, self.T, self.rank, self.world = batch_size, seq_len, rank, world
        self.shard_idx = 0
        self._load(0)

    def _load(self, idx):
        header = np.fromfile(self.files[idx], dtype=np.int32, count=256)
        self.tokens = np.memmap(self.files[idx], dtype=np.uint16, mode="r", offset=256 * 4, shape=(int(header[2]),))
        self.cursor = self.rank * self.B * self.T

    def __iter__(self):
        return self

    def __next__(self):
        span = self.B * self.T + 1
        if self.cursor + span > len(self.tokens):
            self.shard_idx = (self.shard_idx + 1) % len(self.files)
            self._load(self.shard_idx)
        buf = torch.from_numpy(self.tokens[self.cursor : self.cursor + span].astype(np.int64))
        self.cursor += self.B * self.T * self.world
        return {"input_ids": buf[:-1].view(self.B, self.T), "labels": buf[1:].view(self.B, self.T)}


class SparrowTrainer:
    def __init__(self, model, args: SparrowTrainingArguments, train_dataset):
        self.model = model
        self.args = args
        self.train_dataset = train_dataset
        self.optimizer = self.create_optimizer()
        stable = args.max_steps - args.warmup_steps - args.decay_steps
        self.lr_scheduler = get_wsd_schedule(self.optimizer, args.warmup_steps, stable, args.decay_steps)

    def create_optimizer(self):
        decay, no_decay = [], []
        for n, p in self.model.named_parameters():
            if not p.requires_grad:
                continue
            (no_decay if p.ndim < 2 else decay).append(p)
        groups = [
            {"params": decay, "weight_decay": self.args.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ]
        return torch.optim.AdamW(
            groups,
            lr=self.args.learning_rate,
            betas=(self.args.adam_beta1, self.args.adam_beta2),
            eps=self.args.adam_epsilon,
            fused=self.args.use_fused_adamw,
        )

    @torch.no_grad()
    def _rescale_gradients(self):
        # One global L2 norm over *all* gradients, then everything divided by it.
        grads = [p.grad for p in self.model.parameters() if p.grad is not None]
        total = torch.sqrt(sum(g.float().pow(2).sum() for g in grads))
        for g in grads:
            g.div_(total + 1e-6)
        return total

    def training_step(self, inputs):
        device = next(self.model.parameters()).device
        inputs = {k: v.to(device, non_blocking=True) for k, v in inputs.items()}
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=self.args.bf16):
            outputs = self.model(**inputs)
        loss = outputs.loss / self.args.gradient_accumulation_steps
        loss.backward()
        return loss.detach()

    def train(self):
        self.model.train()
        data_iter = iter(self.train_dataset)
        for step in range(self.args.max_steps):
            tr_loss = torch.zeros((), device=next(self.model.parameters()).device)
            for _ in range(self.args.gradient_accumulation_steps):
                tr_loss += self.training_step(next(data_iter))
            if self.args.unit_norm_gradients:
                grad_norm = self._rescale_gradients()
            else:
                grad_norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            self.optimizer.step()
            self.lr_scheduler.step()
            self.optimizer.zero_grad(set_to_none=True)
            if step % self.args.logging_steps == 0:
                print(
                    f"{logger_prefix} step {step} loss {tr_loss.item():.4f} "
                    f"grad_norm {float(grad_norm):.3f} lr {self.lr_scheduler.get_last_lr()[0]:.2e}"
                )
            if self.args.save_steps and step > 0 and step % self.args.save_steps == 0:
                os.makedirs(self.args.output_dir, exist_ok=True)
                torch.save(self.model.state_dict(), os.path.join(self.args.output_dir, f"step{step}.pt"))


def main():
    args = SparrowTrainingArguments()
    torch.manual_seed(args.seed)
    config = SparrowConfig()
    model = SparrowForCausalLM(config).cuda()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{logger_prefix} {n_params / 1e6:.1f}M parameters, head_dim={config.head_dim}")
    model = torch.compile(model)
    dataset = ShardedTokenDataset(args.train_files, args.per_device_train_batch_size, args.seq_length)
    trainer = SparrowTrainer(model, args, dataset)
    trainer.train()


if __name__ == "__main__":
    main()
