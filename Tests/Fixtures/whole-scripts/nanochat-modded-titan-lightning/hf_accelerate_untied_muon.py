#!/usr/bin/env python
"""
accelerate launch --multi_gpu --num_processes 8 hf_accelerate_untied_muon.py

A transformers-compatible causal LM (save_pretrained / from_pretrained work) trained
with three optimizers: Adam for the input embedding, Adam for the separate output
head, and an orthogonalised-momentum optimizer for the hidden matrices.
"""
import math
import os
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from accelerate import Accelerator
from accelerate.utils import DistributedDataParallelKwargs
from transformers import HfArgumentParser, PretrainedConfig, PreTrainedModel

torch.backends.cuda.enable_cudnn_sdp(True)
torch.backends.cuda.enable_flash_sdp(False)
torch.backends.cuda.enable_mem_efficient_sdp(False)
torch.backends.cuda.enable_math_sdp(False)


@dataclass
class TrainArgs:
    data_file: str = field(default="data/fineweb_train.bin")
    per_device_batch: int = field(default=32)
    seq_len: int = field(default=1024)
    max_steps: int = field(default=3000)
    warmup_steps: int = field(default=100)
    decay_steps: int = field(default=900)
    embed_lr: float = field(default=0.3)
    head_lr: float = field(default=0.002)
    matrix_lr: float = field(default=0.02)
    out_dir: str = field(default="ckpt-untied")


class TinyLMConfig(PretrainedConfig):
    model_type = "tiny_untied_lm"

    def __init__(self, vocab_size=50257, hidden=768, layers=12, heads=12, max_len=1024, **kw):
        self.vocab_size, self.hidden, self.layers, self.heads, self.max_len = vocab_size, hidden, layers, heads, max_len
        super().__init__(tie_word_embeddings=False, **kw)


def _rotary(x, cos, sin):
    half = x.size(-1) // 2
    x_a, x_b = x[..., :half], x[..., half:]
    return torch.cat([x_a * cos + x_b * sin, x_b * cos - x_a * sin], dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.h, self.d = cfg.heads, cfg.hidden // cfg.heads
        self.q_proj = nn.Linear(cfg.hidden, cfg.hidden, bias=False)
        self.k_proj = nn.Linear(cfg.hidden, cfg.hidden, bias=False)
        self.v_proj = nn.Linear(cfg.hidden, cfg.hidden, bias=False)
        self.o_proj = nn.Linear(cfg.hidden, cfg.hidden, bias=False)
        # fixed even blend with layer-0 values (not trained)
        self.register_buffer("v_blend", torch.tensor(0.5), persistent=False)

    def forward(self, x, cos, sin, v_first):
        B, T, C = x.shape
        q = self.q_proj(x).view(B, T, self.h, self.d).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.h, self.d).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.h, self.d).transpose(1, 2)
        if v_first is None:
            v_first = v
        else:
            v = (1 - self.v_blend) * v + self.v_blend * v_first
        q, k = _rotary(q, cos, sin), _rotary(k, cos, sin)
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o_proj(o.transpose(1, 2).reshape(B, T, C)), v_first


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self_attn = Attention(cfg)
        self.up_proj = nn.Linear(cfg.hidden, 4 * cfg.hidden, bias=False)
        self.down_proj = nn.Linear(4 * cfg.hidden, cfg.hidden, bias=False)

    def forward(self, x, cos, sin, v_first):
        a, v_first = self.self_attn(F.rms_norm(x, (x.size(-1),)), cos, sin, v_first)
        x = x + a
        h = F.relu(self.up_proj(F.rms_norm(x, (x.size(-1),))))
        return x + self.down_proj(h * h), v_first


class TinyLMForCausalLM(PreTrainedModel):
    config_class = TinyLMConfig

    def __init__(self, cfg):
        super().__init__(cfg)
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden)
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg.layers))
        self.lm_head = nn.Linear(cfg.hidden, cfg.vocab_size, bias=False)
        hd = cfg.hidden // cfg.heads
        inv = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
        ang = torch.outer(torch.arange(cfg.max_len).float(), inv)
        self.register_buffer("rope_cos", ang.cos()[None, None], persistent=False)
        self.register_buffer("rope_sin", ang.sin()[None, None], persistent=False)
        self.post_init()

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=0.02)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)

    def post_init(self):
        super().post_init()
        with torch.no_grad():
            self.lm_head.weight.zero_()

    def forward(self, input_ids, labels=None):
        T = input_ids.size(1)
        cos, sin = self.rope_cos[..., :T, :], self.rope_sin[..., :T, :]
        x = self.embed_tokens(input_ids)
        x = F.rms_norm(x, (x.size(-1),))
        v_first = None
        for layer in self.layers:
            x, v_first = layer(x, cos.to(x.dtype), sin.to(x.dtype), v_first)
        x = F.rms_norm(x, (x.size(-1),))
        logits = self.lm_head(x)
        loss = None if labels is None else F.cross_entropy(logits.flatten(0, 1), labels.flatten())
        return {"loss": loss, "logits": logits}


def _ns5(G, steps=5, eps=1e-7):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X /= X.norm() + eps
    transposed = G.size(0) > G.size(1)
    if transposed:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + b * A @ X + c * A @ A @ X
    return X.T if transposed else X


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["buf"] = torch.zeros_like(p.grad)
                buf = state["buf"]
                buf.mul_(group["momentum"]).add_(p.grad)
                update = _ns5(p.grad.add(buf, alpha=group["momentum"]))
                scale = max(1.0, p.size(0) / p.size(1)) ** 0.5
                p.data.add_(update.to(p.dtype), alpha=-group["lr"] * scale)


def wsd(step, a: TrainArgs):
    if step < a.warmup_steps:
        return (step + 1) / a.warmup_steps
    if step < a.max_steps - a.decay_steps:
        return 1.0
    return (a.max_steps - step) / a.decay_steps


def main():
    (args,) = HfArgumentParser(TrainArgs).parse_args_into_dataclasses()
    acc = Accelerator(mixed_precision="bf16",
                      kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=False)])
    model = TinyLMForCausalLM(TinyLMConfig())

    opt_embed = torch.optim.Adam([model.embed_tokens.weight], lr=args.embed_lr, betas=(0.9, 0.95))
    opt_head = torch.optim.Adam([model.lm_head.weight], lr=args.head_lr, betas=(0.9, 0.95), weight_decay=0.0)
    opt_mat = OrthoMomentum([p for p in model.layers.parameters()], lr=args.matrix_lr, momentum=0.95)
    model, opt_embed, opt_head, opt_mat = acc.prepare(model, opt_embed, opt_head, opt_mat)
    optimizers = [opt_embed, opt_head, opt_mat]
    scheds = [torch.optim.lr_scheduler.LambdaLR(o, lambda s: wsd(s, args)) for o in optimizers]

    tokens = np.memmap(args.data_file, dtype=np.uint16, mode="r", offset=1024)
    per_step = args.per_device_batch * args.seq_len
    cursor = acc.process_index * per_step
    model.train()
    for step in range(args.max_steps):
        if cursor + per_step + 1 > len(tokens):
            cursor = acc.process_index * per_step
        chunk = torch.from_numpy(tokens[cursor:cursor + per_step + 1].astype(np.int64)).to(acc.device)
        cursor += acc.num_processes * per_step
        x = chunk[:-1].view(args.per_device_batch, args.seq_len)
        y = chunk[1:].view(args.per_device_batch, args.seq_len)
        out = model(input_ids=x, labels=y)
        acc.backward(out["loss"])
        for o, s in zip(optimizers, scheds):
            o.step()
            s.step()
        model.zero_grad(set_to_none=True)
        if step % 25 == 0:
            acc.print(f"step {step} | loss {out['loss'].item():.4f} | lr x{wsd(step, args):.3f}")
    acc.wait_for_everyone()
    acc.unwrap_model(model).save_pretrained(args.out_dir, is_main_process=acc.is_main_process)


if __name__ == "__main__":
    main()
