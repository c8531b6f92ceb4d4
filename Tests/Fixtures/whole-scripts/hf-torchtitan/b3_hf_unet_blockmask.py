# coding=utf-8
"""Orca language model (modeling + pretraining script, transformers-like organisation).

Highlights: block-sparse FlexAttention mask assembled by hand at 128-token
granularity, mirrored per-layer value tables, optional FP8 unembedding kernel.
"""
import os

os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")

import glob
import time
from typing import List, Optional

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.nn.attention.flex_attention import BlockMask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP

MASK_BLOCK = 128


class OrcaConfig:
    def __init__(self, vocab_size=50304, hidden_size=768, num_hidden_layers=12, num_attention_heads=6,
                 mlp_ratio=4, num_value_tables=6, rope_theta=10000.0, eos_token_id=50256,
                 logit_softcap=30.0, fp8_unembed_at_eval=True):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.mlp_ratio = mlp_ratio
        self.num_value_tables = num_value_tables
        self.rope_theta = rope_theta
        self.eos_token_id = eos_token_id
        self.logit_softcap = logit_softcap
        self.fp8_unembed_at_eval = fp8_unembed_at_eval


def _rms(x: Tensor) -> Tensor:
    return F.rms_norm(x, (x.shape[-1],))


def fp8_linear(x: Tensor, w: Tensor) -> Tensor:
    """Forward-only e4m3 matmul (no custom backward) used for cheap evaluation passes."""
    flat = x.reshape(-1, x.shape[-1]).contiguous()
    x8 = (flat * 2.0).to(torch.float8_e4m3fn)
    w8 = (w * 32.0).to(torch.float8_e4m3fn)
    out = torch._scaled_mm(x8, w8.t(), out_dtype=torch.bfloat16,
                           scale_a=torch.tensor(0.5, device=x.device), scale_b=torch.tensor(1 / 32.0, device=x.device))
    return out.view(*x.shape[:-1], -1)


class OrcaPositional(nn.Module):
    def __init__(self, head_dim: int, theta: float):
        super().__init__()
        self.register_buffer("inv_freq", theta ** (-torch.arange(0, head_dim, 2).float() / head_dim), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        t = torch.arange(x.size(1), device=x.device, dtype=torch.float32)
        ang = t[:, None] * self.inv_freq[None, :]
        cos, sin = ang.cos()[None, :, None, :], ang.sin()[None, :, None, :]
        half = x.size(-1) // 2
        a, b = x[..., :half].float(), x[..., half:].float()
        return torch.cat([a * cos + b * sin, b * cos - a * sin], dim=-1).type_as(x)


class OrcaAttention(nn.Module):
    def __init__(self, config: OrcaConfig, layer_idx: int):
        super().__init__()
        d = config.hidden_size
        self.layer_idx = layer_idx
        self.num_heads = config.num_attention_heads
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)
        self.value_mix = nn.Parameter(torch.tensor([0.5, 0.5]))  # (own values, token table)
        self.pos = OrcaPositional(d // self.num_heads, config.rope_theta)

    def forward(self, hidden_states: Tensor, value_table: Tensor, block_mask: BlockMask) -> Tensor:
        B, T, _ = hidden_states.shape
        q = self.q_proj(hidden_states).unflatten(-1, (self.num_heads, -1))
        k = self.k_proj(hidden_states).unflatten(-1, (self.num_heads, -1))
        v = self.v_proj(hidden_states).unflatten(-1, (self.num_heads, -1))
        v = self.value_mix[0] * v + self.value_mix[1] * value_table.view_as(v)
        q, k = self.pos(_rms(q)), self.pos(_rms(k))
        o = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=block_mask)
        return self.o_proj(o.transpose(1, 2).reshape(B, T, -1))


class OrcaMLP(nn.Module):
    def __init__(self, config: OrcaConfig):
        super().__init__()
        self.fc_in = nn.Linear(config.hidden_size, config.mlp_ratio * config.hidden_size, bias=False)
        self.fc_out = nn.Linear(config.mlp_ratio * config.hidden_size, config.hidden_size, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc_out(F.relu(self.fc_in(x)).pow(2))


class OrcaDecoderLayer(nn.Module):
    def __init__(self, config: OrcaConfig, layer_idx: int):
        super().__init__()
        self.self_attn = OrcaAttention(config, layer_idx)
        self.mlp = OrcaMLP(config)
        self.carry = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, hidden_states, initial_embeds, value_table, block_mask):
        hidden_states = self.carry[0] * hidden_states + self.carry[1] * initial_embeds
        hidden_states = hidden_states + self.self_attn(_rms(hidden_states), value_table, block_mask)
        return hidden_states + self.mlp(_rms(hidden_states))


class OrcaValueTables(nn.Module):
    """Separate embedding tables; the list is mirrored so layer i and layer L-1-i share a table."""

    def __init__(self, config: OrcaConfig):
        super().__init__()
        self.tables = nn.ModuleList(nn.Embedding(config.vocab_size, config.hidden_size)
                                    for _ in range(config.num_value_tables))

    def forward(self, input_ids: Tensor) -> List[Tensor]:
        looked_up = [tab(input_ids) for tab in self.tables]
        return looked_up + looked_up[::-1]


class OrcaPreTrainedModel(nn.Module):
    def _init_weights(self, module):
        if isinstance(module, OrcaAttention):
            nn.init.zeros_(module.o_proj.weight)
        if isinstance(module, OrcaMLP):
            nn.init.zeros_(module.fc_out.weight)


def dense_to_kv(dense: Tensor):
    counts = dense.sum(dim=-1, dtype=torch.int32)
    order = torch.argsort(dense.to(torch.int8), dim=-1, descending=True, stable=True).to(torch.int32)
    return counts[None, None].contiguous(), order[None, None].contiguous()


class OrcaModel(OrcaPreTrainedModel):
    def __init__(self, config: OrcaConfig):
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.value_tables = OrcaValueTables(config)
        self.layers = nn.ModuleList(OrcaDecoderLayer(config, i) for i in range(config.num_hidden_layers))
        self.half = config.num_hidden_layers // 2
        self.bridge = nn.Parameter(torch.ones(config.num_hidden_layers - self.half))
        self.apply(self._init_weights)

    def make_block_mask(self, input_ids: Tensor, window_blocks: Tensor) -> BlockMask:
        doc = (input_ids == self.config.eos_token_id).cumsum(0)
        first = doc.view(-1, MASK_BLOCK)[:, 0].contiguous()
        last = doc.view(-1, MASK_BLOCK)[:, -1].contiguous()
        nblk = input_ids.numel() // MASK_BLOCK

        def token_rule(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (doc[q_idx] == doc[kv_idx])

        qb = torch.arange(nblk, device=input_ids.device, dtype=torch.int32)[:, None]
        kb = qb.view(1, -1)
        overlap = (first[:, None] <= last[None, :]) & (first[None, :] <= last[:, None])
        same_single_doc = (first[:, None] == last[None, :]) & (first[None, :] == last[:, None])
        in_window = (qb - kb) < window_blocks
        any_visible = (qb >= kb) & overlap & in_window
        fully_visible = (qb > kb) & same_single_doc & in_window
        partial_n, partial_idx = dense_to_kv(any_visible & ~fully_visible)
        full_n, full_idx = dense_to_kv(fully_visible)
        return BlockMask.from_kv_blocks(partial_n, partial_idx, full_n, full_idx,
                                        BLOCK_SIZE=MASK_BLOCK, mask_mod=token_rule)

    def forward(self, input_ids: Tensor, window_blocks: Tensor) -> Tensor:
        block_mask = self.make_block_mask(input_ids, window_blocks)
        h = _rms(self.embed_tokens(input_ids)[None])
        initial_embeds = h
        tables = self.value_tables(input_ids[None])
        saved = []
        for i in range(self.half):
            h = self.layers[i](h, initial_embeds, tables[i], block_mask)
            saved.append(h)
        for j, layer in enumerate(self.layers[self.half:]):
            h = h + self.bridge[j] * saved.pop()
            h = layer(h, initial_embeds, tables[self.half + j], block_mask)
        return _rms(h)


class OrcaForCausalLM(OrcaPreTrainedModel):
    def __init__(self, config: OrcaConfig):
        super().__init__()
        self.config = config
        self.model = OrcaModel(config)
        self.output_embeddings = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        nn.init.zeros_(self.output_embeddings.weight)

    def forward(self, input_ids: Tensor, labels: Tensor, window_blocks: Tensor) -> Tensor:
        h = self.model(input_ids, window_blocks)
        if self.config.fp8_unembed_at_eval and not self.training:
            logits = fp8_linear(h.to(torch.bfloat16), self.output_embeddings.weight)
        else:
            logits = self.output_embeddings(h)
        c = self.config.logit_softcap
        logits = c * torch.tanh(logits.float() / c)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels)


# ----------------------------------------------------------------------------------- optimizer

def quintic_polar(M: Tensor, iters: int = 5) -> Tensor:
    a, b, c = 3.4445, -4.7750, 2.0315
    X = M.bfloat16()
    if M.size(0) > M.size(1):
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(iters):
        A = X @ X.T
        AX = A @ X
        X = a * X + b * AX + c * (A @ AX)
    return X.T if M.size(0) > M.size(1) else X


class NesterovOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95, nesterov=True):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state[p]
                if "m" not in st:
                    st["m"] = torch.zeros_like(p.grad)
                st["m"].lerp_(p.grad, 1 - group["momentum"])
                g = p.grad.lerp(st["m"], group["momentum"]) if group["nesterov"] else st["m"]
                u = quintic_polar(g)
                p.add_(u.type_as(p), alpha=-group["lr"] * max(1.0, p.size(0) / p.size(1)) ** 0.5)


# ----------------------------------------------------------------------------------- data

def read_pinned(path: str) -> Tensor:
    header = torch.from_file(path, False, 256, dtype=torch.int32)
    n = int(header[2])
    toks = torch.empty(n, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as f:
        f.seek(1024)
        assert f.readinto(toks.numpy()) == 2 * n
    return toks


def batches(pattern: str, seq_len: int, rank: int, world: int):
    for path in sorted(glob.glob(pattern)):
        toks, pos = read_pinned(path), 0
        while pos + seq_len * world + 1 < len(toks):
            window = toks[pos + rank * seq_len: pos + (rank + 1) * seq_len + 1]
            yield (window[:-1].to("cuda", dtype=torch.int32, non_blocking=True),
                   window[1:].to("cuda", dtype=torch.int64, non_blocking=True))
            pos += seq_len * world


# ----------------------------------------------------------------------------------- main

def main():
    total_steps, cooldown, seq_len = 1490, 0.4, 64 * 1024
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))

    net = OrcaForCausalLM(OrcaConfig()).cuda()
    engine = DDP(torch.compile(net), device_ids=[torch.cuda.current_device()],
                 broadcast_buffers=False, gradient_as_bucket_view=True)

    body = net.model
    mats = [p for p in body.layers.parameters() if p.ndim == 2]
    gains = [p for p in body.layers.parameters() if p.ndim < 2] + [body.bridge]
    emb = [body.embed_tokens.weight, *body.value_tables.parameters()]
    adam = torch.optim.Adam([dict(params=emb, lr=0.6), dict(params=[net.output_embeddings.weight], lr=0.008),
                             dict(params=gains, lr=0.04)], betas=(0.8, 0.95), fused=True)
    ortho = NesterovOrtho(mats, lr=0.05, momentum=0.95)
    opts = [adam, ortho]

    def schedule(step):
        rem = 1 - step / total_steps
        return min(rem / cooldown, 1.0)

    scheds = [torch.optim.lr_scheduler.LambdaLR(o, schedule) for o in opts]
    stream = batches(os.environ["ORCA_TRAIN_GLOB"], seq_len, rank, world)
    window_blocks = torch.tensor(1, dtype=torch.int32, device="cuda")
    tic = time.time()
    for step in range(total_steps):
        p = step / total_steps
        window_blocks.fill_(int(((1 - p) * 128 + p * 1856) // MASK_BLOCK))
        input_ids, labels = next(stream)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = engine(input_ids, labels, window_blocks)
        loss.backward()
        for g in ortho.param_groups:
            g["momentum"] = 0.85 + 0.10 * min(step / 300, 1.0)
        for o, s in zip(opts, scheds):
            o.step()
            s.step()
        engine.zero_grad(set_to_none=True)
        if rank == 0:
            print(f"[{step}/{total_steps}] loss={loss.item():.4f} window={int(window_blocks) * MASK_BLOCK} "
                  f"elapsed={time.time() - tic:.0f}s")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
