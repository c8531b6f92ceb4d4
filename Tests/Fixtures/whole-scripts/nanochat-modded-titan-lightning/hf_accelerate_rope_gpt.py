#!/usr/bin/env python
# coding=utf-8
"""
Pretrain a GPT-2-small-sized causal LM with rotary positions using 🤗 Accelerate.

    accelerate launch --num_processes 8 hf_accelerate_rope_gpt.py --output_dir ./ckpt

Differences to run_clm_no_trainer.py: custom RoPE model class, a warmup-stable-decay
schedule and unit-norm gradients per tensor instead of global clipping.
"""
import argparse
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from accelerate import Accelerator
from accelerate.logging import get_logger
from accelerate.utils import set_seed
from torch.optim.lr_scheduler import LambdaLR
from transformers import PretrainedConfig, PreTrainedModel
from transformers.modeling_outputs import CausalLMOutput

logger = get_logger(__name__)


class RopeGPTConfig(PretrainedConfig):
    model_type = "rope_gpt"

    def __init__(self, vocab_size=50304, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                 layer_norm_epsilon=1e-5, initializer_range=0.02, rope_theta=10000.0, **kwargs):
        self.vocab_size = vocab_size      # 50257 rounded up to a multiple of 128
        self.n_positions = n_positions
        self.n_embd = n_embd
        self.n_layer = n_layer
        self.n_head = n_head
        self.layer_norm_epsilon = layer_norm_epsilon
        self.initializer_range = initializer_range
        self.rope_theta = rope_theta
        super().__init__(tie_word_embeddings=True, **kwargs)


class RopeCache(nn.Module):
    def __init__(self, dim, max_pos, theta):
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
        t = torch.arange(max_pos, dtype=torch.float32)
        freqs = torch.einsum("i,j->ij", t, inv_freq)
        self.register_buffer("cos_cached", freqs.cos(), persistent=False)
        self.register_buffer("sin_cached", freqs.sin(), persistent=False)

    def forward(self, q, k):
        # q, k: (bsz, heads, seq, head_dim)
        seq = q.shape[-2]
        cos = self.cos_cached[:seq].to(q.dtype)
        sin = self.sin_cached[:seq].to(q.dtype)

        def _rot(x):
            x1, x2 = x.chunk(2, dim=-1)
            return torch.cat((x1 * cos + x2 * sin, -x1 * sin + x2 * cos), dim=-1)

        return _rot(q), _rot(k)


class RopeGPTAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_head = config.n_head
        self.head_dim = config.n_embd // config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)
        self.rotary = RopeCache(self.head_dim, config.n_positions, config.rope_theta)

    def forward(self, hidden_states):
        bsz, seq, dim = hidden_states.size()
        q, k, v = self.c_attn(hidden_states).split(dim, dim=2)
        q = q.view(bsz, seq, self.n_head, self.head_dim).transpose(1, 2)
        k = k.view(bsz, seq, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(bsz, seq, self.n_head, self.head_dim).transpose(1, 2)
        q, k = self.rotary(q, k)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(out.transpose(1, 2).contiguous().view(bsz, seq, dim))


class RopeGPTBlock(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.attn = RopeGPTAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.mlp = nn.Sequential(nn.Linear(config.n_embd, 4 * config.n_embd), nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * config.n_embd, config.n_embd))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class RopeGPTForCausalLM(PreTrainedModel):
    config_class = RopeGPTConfig
    base_model_prefix = "transformer"
    _tied_weights_keys = ["lm_head.weight"]

    def __init__(self, config):
        super().__init__(config)
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)   # no wpe table: positions come from RoPE
        self.h = nn.ModuleList([RopeGPTBlock(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.post_init()

    def get_input_embeddings(self):
        return self.wte

    def get_output_embeddings(self):
        return self.lm_head

    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if getattr(module, "bias", None) is not None:
                module.bias.data.zero_()

    def forward(self, input_ids, labels=None):
        x = self.wte(input_ids)
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), ignore_index=-100)
            loss = loss.float()  # keep the reported/accumulated loss in fp32
        return CausalLMOutput(loss=loss, logits=logits)


def get_wsd_schedule(optimizer, num_warmup_steps, num_training_steps, num_decay_steps, last_epoch=-1):
    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return float(current_step + 1) / float(max(1, num_warmup_steps))
        if current_step < num_training_steps - num_decay_steps:
            return 1.0
        return max(0.0, float(num_training_steps - current_step) / float(max(1, num_decay_steps)))

    return LambdaLR(optimizer, lr_lambda, last_epoch)


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--train_bin", default="fineweb10B/fineweb_train_000001.bin")
    p.add_argument("--per_device_train_batch_size", type=int, default=64)
    p.add_argument("--block_size", type=int, default=1024)
    p.add_argument("--learning_rate", type=float, default=0.0018)
    p.add_argument("--weight_decay", type=float, default=0.1)
    p.add_argument("--max_train_steps", type=int, default=9536)
    p.add_argument("--num_warmup_steps", type=int, default=256)
    p.add_argument("--num_decay_steps", type=int, default=2000)
    p.add_argument("--output_dir", default="./ckpt")
    p.add_argument("--seed", type=int, default=1337)
    return p.parse_args()


def main():
    args = parse_args()
    accelerator = Accelerator(mixed_precision="bf16", gradient_accumulation_steps=1)
    set_seed(args.seed)
    tokens_per_step = args.per_device_train_batch_size * args.block_size * accelerator.num_processes
    logger.info(f"tokens per optimizer step: {tokens_per_step}")  # 64 * 1024 * 8 = 524,288

    model = RopeGPTForCausalLM(RopeGPTConfig())
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.learning_rate, betas=(0.9, 0.95),
    )
    lr_scheduler = get_wsd_schedule(optimizer, args.num_warmup_steps, args.max_train_steps, args.num_decay_steps)

    data = np.memmap(args.train_bin, dtype=np.uint16, mode="r", offset=1024)
    n_seq = (len(data) - 1) // args.block_size
    ds = torch.utils.data.TensorDataset(torch.arange(n_seq))
    loader = torch.utils.data.DataLoader(ds, batch_size=args.per_device_train_batch_size, shuffle=True, drop_last=True)
    model, optimizer, loader, lr_scheduler = accelerator.prepare(model, optimizer, loader, lr_scheduler)

    step = 0
    model.train()
    while step < args.max_train_steps:
        for (idx,) in loader:
            rows = [torch.from_numpy(data[i * args.block_size: (i + 1) * args.block_size + 1].astype(np.int64))
                    for i in idx.tolist()]
            batch = torch.stack(rows).to(accelerator.device)
            with accelerator.accumulate(model):
                out = model(input_ids=batch[:, :-1], labels=batch[:, 1:])
                accelerator.backward(out.loss)
                if accelerator.sync_gradients:
                    for p in model.parameters():
                        if p.grad is not None:
                            p.grad.div_(p.grad.norm() + 1e-6)
                optimizer.step()
                lr_scheduler.step()
                optimizer.zero_grad()
            step += 1
            if step % 50 == 0:
                accelerator.print(f"step {step}: loss {out.loss.item():.4f} lr {lr_scheduler.get_last_lr()[0]:.6f}")
            if step >= args.max_train_steps:
                break

    accelerator.wait_for_everyone()
    accelerator.unwrap_model(model).save_pretrained(args.output_dir, is_main_process=accelerator.is_main_process,
                                                    save_function=accelerator.save)


if __name__ == "__main__":
    main()
