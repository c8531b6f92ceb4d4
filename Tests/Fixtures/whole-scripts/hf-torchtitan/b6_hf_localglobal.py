# coding=utf-8
"""Lumen: a small Gemma-flavoured decoder with interleaved local / global attention.

Self-contained modeling + `run_pretraining()` loop, organised like a transformers model file.
"""
import glob
import math
import os
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP


class LumenConfig:
    model_type = "lumen"

    def __init__(self, vocab_size=50257, hidden_size=768, intermediate_size=2048, num_hidden_layers=12,
                 num_attention_heads=12, sliding_window=1024, rope_theta=10000.0, rms_norm_eps=1e-6,
                 final_logit_softcapping=30.0, attention_only_layers=(7,), eos_token_id=50256,
                 initializer_range=0.02, tie_word_embeddings=True):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.intermediate_size = intermediate_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.head_dim = hidden_size // num_attention_heads
        self.sliding_window = sliding_window
        self.rope_theta = rope_theta
        self.rms_norm_eps = rms_norm_eps
        self.final_logit_softcapping = final_logit_softcapping
        self.attention_only_layers = attention_only_layers
        self.eos_token_id = eos_token_id
        self.initializer_range = initializer_range
        self.tie_word_embeddings = tie_word_embeddings
        # even layers see the full causal prefix, odd layers a local window
        self.layer_types = ["global" if i % 2 == 0 else "local" for i in range(num_hidden_layers)]


@dataclass
class CausalLMOutput:
    loss: Optional[torch.Tensor] = None
    logits: Optional[torch.Tensor] = None


class LumenRMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        out = x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + self.eps)
        return (out * (1.0 + self.weight.float())).type_as(x)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class LumenPositionEncoding(nn.Module):
    def __init__(self, config):
        super().__init__()
        dim = config.head_dim
        self.register_buffer("inv_freq", 1.0 / (config.rope_theta ** (torch.arange(0, dim, 2).float() / dim)),
                             persistent=False)

    def forward(self, x, position_ids):
        freqs = position_ids[:, :, None].float() * self.inv_freq[None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(x.dtype), emb.sin().to(x.dtype)


class LumenAttention(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        self.is_local = config.layer_types[layer_idx] == "local"
        self.num_heads = config.num_attention_heads
        self.head_dim = config.head_dim
        self.q_proj = nn.Linear(config.hidden_size, config.hidden_size, bias=False)
        self.k_proj = nn.Linear(config.hidden_size, config.hidden_size, bias=False)
        self.v_proj = nn.Linear(config.hidden_size, config.hidden_size, bias=False)
        self.o_proj = nn.Linear(config.hidden_size, config.hidden_size, bias=False)

    def forward(self, hidden_states, position_embeddings, global_mask=None, local_mask=None):
        bsz, q_len, _ = hidden_states.shape
        q = self.q_proj(hidden_states).view(bsz, q_len, self.num_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(hidden_states).view(bsz, q_len, self.num_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(hidden_states).view(bsz, q_len, self.num_heads, self.head_dim).transpose(1, 2)
        cos, sin = position_embeddings
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        out = flex_attention(q, k, v, block_mask=local_mask if self.is_local else global_mask)
        return self.o_proj(out.transpose(1, 2).reshape(bsz, q_len, -1))


class LumenMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.gate_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.up_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.down_proj = nn.Linear(config.intermediate_size, config.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.gelu(self.gate_proj(x), approximate="tanh") * self.up_proj(x))


class LumenDecoderLayer(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        self.input_layernorm = LumenRMSNorm(config.hidden_size, config.rms_norm_eps)
        self.self_attn = LumenAttention(config, layer_idx)
        # some layers are attention-only: no feed-forward sublayer
        self.has_mlp = layer_idx not in config.attention_only_layers
        if self.has_mlp:
            self.post_attention_layernorm = LumenRMSNorm(config.hidden_size, config.rms_norm_eps)
            self.mlp = LumenMLP(config)

    def forward(self, hidden_states, position_embeddings, global_mask=None, local_mask=None):
        residual = hidden_states
        hidden_states = self.self_attn(self.input_layernorm(hidden_states), position_embeddings,
                                       global_mask=global_mask, local_mask=local_mask)
        hidden_states = residual + hidden_states
        if self.has_mlp:
            hidden_states = hidden_states + self.mlp(self.post_attention_layernorm(hidden_states))
        return hidden_states


class LumenPreTrainedModel(nn.Module):
    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=std)
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=std)


class LumenModel(LumenPreTrainedModel):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList([LumenDecoderLayer(config, i) for i in range(config.num_hidden_layers)])
        self.norm = LumenRMSNorm(config.hidden_size, config.rms_norm_eps)
        self.rotary_pos = LumenPositionEncoding(config)
        self.apply(self._init_weights)

    def forward(self, input_ids):
        bsz, seq_len = input_ids.shape
        window = self.config.sliding_window

        def causal(b, h, q_idx, kv_idx):
            return q_idx >= kv_idx

        def local_causal(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (q_idx - kv_idx < window)

        global_mask = create_block_mask(causal, None, None, seq_len, seq_len, device=input_ids.device)
        local_mask = create_block_mask(local_causal, None, None, seq_len, seq_len, device=input_ids.device)

        hidden_states = self.embed_tokens(input_ids) * math.sqrt(self.config.hidden_size)
        position_ids = torch.arange(seq_len, device=input_ids.device)[None].expand(bsz, -1)
        position_embeddings = self.rotary_pos(hidden_states, position_ids)
        for layer in self.layers:
            hidden_states = layer(hidden_states, position_embeddings, global_mask=global_mask, local_mask=local_mask)
        return self.norm(hidden_states)


class LumenForCausalLM(LumenPreTrainedModel):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.model = LumenModel(config)
        self.vocab_proj = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        if config.tie_word_embeddings:
            self.vocab_proj.weight = self.model.embed_tokens.weight

    def forward(self, input_ids=None, labels=None):
        hidden_states = self.model(input_ids)
        logits = self.vocab_proj(hidden_states).float()
        cap = self.config.final_logit_softcapping
        logits = torch.tanh(logits / cap) * cap
        loss = None
        if labels is not None:
            # the document ids are only used to drop the cross-document prediction at each boundary
            doc_ids = torch.cumsum((input_ids == self.config.eos_token_id).long(), dim=-1)
            starts_new = F.pad(doc_ids[:, 1:] != doc_ids[:, :-1], (1, 0), value=False)
            labels = labels.masked_fill(starts_new, -100)
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), ignore_index=-100)
        return CausalLMOutput(loss=loss, logits=logits)


# ------------------------------------------------------------------------------------ optimizer

def orthogonalize(M, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = M.bfloat16() / (M.norm() + 1e-7)
    transpose = M.shape[0] > M.shape[1]
    if transpose:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + b * A @ X + c * A @ A @ X
    return X.T if transpose else X


class DistributedOrthogonalSGD(torch.optim.Optimizer):
    """Every rank orthogonalizes every matrix, then the updates are averaged with one all_reduce."""

    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            updates = []
            for p in params:
                st = self.state[p]
                if "buf" not in st:
                    st["buf"] = torch.zeros_like(p.grad)
                st["buf"].mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(st["buf"], alpha=group["momentum"])
                updates.append(orthogonalize(g).flatten() * max(1, p.size(0) / p.size(1)) ** 0.5)
            flat = torch.cat(updates)
            dist.all_reduce(flat, op=dist.ReduceOp.AVG)
            offset = 0
            for p in params:
                p.add_(flat[offset:offset + p.numel()].view_as(p).to(p.dtype), alpha=-group["lr"])
                offset += p.numel()


# ------------------------------------------------------------------------------------ training

def load_tokens(path):
    n = int(np.fromfile(path, dtype=np.int32, count=256)[2])
    return np.memmap(path, dtype=np.uint16, mode="r", offset=1024, shape=(n,))


def run_pretraining(train_glob, batch_size=8, seq_len=8192, max_steps=5000, warmup_steps=100, log_every=10):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))

    config = LumenConfig()
    model = LumenForCausalLM(config).cuda().to(torch.bfloat16)
    ddp_model = DDP(torch.compile(model), device_ids=[torch.cuda.current_device()])

    matrices = [p for p in model.model.layers.parameters() if p.ndim == 2]
    others = [p for p in model.parameters() if p.ndim < 2] + [model.model.embed_tokens.weight]
    adamw = torch.optim.AdamW(others, lr=3e-3, betas=(0.9, 0.95), weight_decay=0.01)
    ortho = DistributedOrthogonalSGD(matrices, lr=0.02)
    optimizers = [adamw, ortho]

    def lr_lambda(step):
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, max_steps - warmup_steps)
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, lr_lambda) for o in optimizers]
    files = sorted(glob.glob(train_glob))
    tokens, cursor, shard = load_tokens(files[0]), 0, 0
    per_step = batch_size * seq_len
    for step in range(max_steps):
        if cursor + per_step * world + 1 > len(tokens):
            shard = (shard + 1) % len(files)
            tokens, cursor = load_tokens(files[shard]), 0
        start = cursor + rank * per_step
        chunk = torch.from_numpy(tokens[start:start + per_step + 1].astype(np.int64)).cuda()
        cursor += per_step * world
        input_ids = chunk[:-1].view(batch_size, seq_len)
        labels = chunk[1:].view(batch_size, seq_len)
        out = ddp_model(input_ids=input_ids, labels=labels)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        for opt, sch in zip(optimizers, schedulers):
            opt.step()
            sch.step()
            opt.zero_grad(set_to_none=True)
        if rank == 0 and step % log_every == 0:
            print({"step": step, "loss": round(out.loss.item(), 4), "lr": schedulers[0].get_last_lr()[0]})
    dist.destroy_process_group()


if __name__ == "__main__":
    run_pretraining(os.environ.get("LUMEN_DATA", "data/train_*.bin"))
