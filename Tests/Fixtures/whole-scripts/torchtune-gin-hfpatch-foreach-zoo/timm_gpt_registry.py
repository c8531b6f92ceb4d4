""" GPT-Speed models in timm style

A small family of causal language models registered with a timm-like model registry.
Models are created by name and default config overrides:

    model = create_model('gpt_speed_small', num_layers=12, window_size=1024)

Hacked together from timm's vision_transformer.py conventions (registry, default cfgs,
forward_features / forward_head split, group_matcher) for LM pretraining on FineWeb.
"""
import glob
import logging
import math
import os
import time
from functools import partial
from typing import Any, Callable, Dict, Optional

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

_logger = logging.getLogger(__name__)

__all__ = ['GptSpeed', 'create_model', 'list_models']

# --------------------------------------------------------------------------------------
# registry

_model_entrypoints: Dict[str, Callable[..., nn.Module]] = {}
_model_default_cfgs: Dict[str, Dict[str, Any]] = {}


def register_model(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
    name = fn.__name__
    assert name not in _model_entrypoints, f'duplicate model name {name}'
    _model_entrypoints[name] = fn
    return fn


def list_models():
    return sorted(_model_entrypoints)


def create_model(model_name: str, pretrained: bool = False, **kwargs) -> nn.Module:
    if model_name not in _model_entrypoints:
        raise RuntimeError(f'Unknown model ({model_name}); choose from {list_models()}')
    return _model_entrypoints[model_name](pretrained=pretrained, **kwargs)


def _cfg(**kwargs) -> Dict[str, Any]:
    return {
        'vocab_size': 50257,
        'eot_token': 50256,
        'max_seq_len': 64 * 1024,
        'rope_theta': 10000.0,
        'window_size': 1024,
        'mlp_ratio': 4.0,
        **kwargs,
    }


default_cfgs = {
    'gpt_speed_tiny': _cfg(embed_dim=384, num_layers=6, num_heads=6),
    'gpt_speed_small': _cfg(embed_dim=768, num_layers=12, num_heads=12),
    'gpt_speed_medium': _cfg(embed_dim=1024, num_layers=24, num_heads=16),
}


# --------------------------------------------------------------------------------------
# layers

class RotaryEmbedding(nn.Module):
    def __init__(self, dim: int, theta: float = 10000.0):
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, dim, 2).float() / dim))
        self.register_buffer('inv_freq', inv_freq, persistent=False)
        self._cached_len = -1

    def get_cos_sin(self, seq_len: int, device):
        if seq_len != self._cached_len:
            t = torch.arange(seq_len, device=device).type_as(self.inv_freq)
            freqs = torch.outer(t, self.inv_freq)
            self._cos, self._sin = freqs.cos().bfloat16(), freqs.sin().bfloat16()
            self._cached_len = seq_len
        return self._cos[None, :, None, :], self._sin[None, :, None, :]


def apply_rot_embed(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((x1 * cos + x2 * sin, -x1 * sin + x2 * cos), dim=-1)


class Mlp(nn.Module):
    def __init__(self, in_features: int, hidden_features: int, act_layer=nn.GELU):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features, bias=False)
        self.act = act_layer()
        self.fc2 = nn.Linear(hidden_features, in_features, bias=False)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Attention(nn.Module):
    def __init__(self, dim: int, num_heads: int, rope: RotaryEmbedding):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.qkv = nn.Linear(dim, dim * 3, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.rope = rope
        # mixing weight between this layer's values and its value-embedding slice
        self.ve_gate = nn.Parameter(torch.tensor(0.5))

    def forward(self, x: torch.Tensor, ve: torch.Tensor, block_mask) -> torch.Tensor:
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim)
        q, k, v = qkv.unbind(2)
        cos, sin = self.rope.get_cos_sin(N, x.device)
        q, k = apply_rot_embed(q, cos, sin), apply_rot_embed(k, cos, sin)
        v = (1 - self.ve_gate) * v + self.ve_gate * ve.view_as(v)
        x = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=block_mask)
        x = x.transpose(1, 2).reshape(B, N, C)
        return self.proj(x)


class Block(nn.Module):
    def __init__(self, dim: int, num_heads: int, mlp_ratio: float, rope: RotaryEmbedding,
                 norm_layer=nn.LayerNorm):
        super().__init__()
        self.norm1 = norm_layer(dim)
        self.attn = Attention(dim, num_heads, rope)
        self.norm2 = norm_layer(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x, ve, block_mask):
        x = x + self.attn(self.norm1(x), ve, block_mask)
        x = x + self.mlp(self.norm2(x))
        return x


# --------------------------------------------------------------------------------------
# model

class GptSpeed(nn.Module):
    """ Causal LM over a single packed token stream (batch of 1, FlexAttention). """

    def __init__(self, vocab_size: int = 50257, embed_dim: int = 768, num_layers: int = 12,
                 num_heads: int = 12, mlp_ratio: float = 4.0, max_seq_len: int = 65536,
                 rope_theta: float = 10000.0, window_size: int = 1024, eot_token: int = 50256,
                 use_skips: bool = True, norm_layer=partial(nn.LayerNorm, eps=1e-6)):
        super().__init__()
        self.num_features = self.embed_dim = embed_dim
        self.num_layers = num_layers
        self.window_size = window_size
        self.eot_token = eot_token
        self.use_skips = use_skips
        self.tok_embed = nn.Embedding(vocab_size, embed_dim)
        # one wide table, sliced into a per-layer value embedding
        self.value_embed = nn.Embedding(vocab_size, embed_dim * num_layers)
        rope = RotaryEmbedding(embed_dim // num_heads, theta=rope_theta)
        self.blocks = nn.ModuleList([Block(embed_dim, num_heads, mlp_ratio, rope, norm_layer)
                                     for _ in range(num_layers)])
        self.num_enc = num_layers // 2
        self.skip_gates = nn.Parameter(torch.ones(num_layers - self.num_enc))
        self.norm = norm_layer(embed_dim)
        self.head = nn.Linear(embed_dim, vocab_size, bias=False)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m: nn.Module):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=.02)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=.02)

    @torch.jit.ignore
    def group_matcher(self, coarse: bool = False):
        return dict(stem=r'^tok_embed|^value_embed', blocks=r'^blocks\.(\d+)')

    @torch.jit.ignore
    def no_weight_decay(self):
        return {'tok_embed.weight', 'value_embed.weight', 'skip_gates'}

    def build_block_mask(self, idx: torch.Tensor):
        docs = (idx == self.eot_token).cumsum(0)
        window = self.window_size

        def doc_window_causal(b, h, q_idx, kv_idx):
            causal = q_idx >= kv_idx
            same_doc = docs[q_idx] == docs[kv_idx]
            local = q_idx - kv_idx < window
            return causal & same_doc & local

        S = idx.numel()
        return create_block_mask(doc_window_causal, None, None, S, S, device=idx.device, _compile=True)

    def forward_features(self, idx: torch.Tensor) -> torch.Tensor:
        assert idx.ndim == 1, 'expects a flat token stream'
        block_mask = self.build_block_mask(idx)
        x = self.tok_embed(idx)[None]
        ve = self.value_embed(idx)[None].chunk(self.num_layers, dim=-1)
        skips = []
        for i, blk in enumerate(self.blocks):
            if self.use_skips and i >= self.num_enc:
                # encoder activations are consumed first-in, first-out
                x = x + self.skip_gates[i - self.num_enc] * skips.pop(0)
            x = blk(x, ve[i], block_mask)
            if self.use_skips and i < self.num_enc:
                skips.append(x)
        return self.norm(x)

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x)

    def forward(self, idx: torch.Tensor, targets: Optional[torch.Tensor] = None):
        logits = self.forward_head(self.forward_features(idx))
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)


def _create_gpt_speed(variant: str, pretrained: bool = False, **kwargs) -> GptSpeed:
    if pretrained:
        raise NotImplementedError('no pretrained weights for GptSpeed')
    cfg = dict(default_cfgs[variant])
    cfg.update(kwargs)
    model = GptSpeed(**cfg)
    model.default_cfg = default_cfgs[variant]
    return model


@register_model
def gpt_speed_tiny(pretrained: bool = False, **kwargs) -> GptSpeed:
    return _create_gpt_speed('gpt_speed_tiny', pretrained=pretrained, **kwargs)


@register_model
def gpt_speed_small(pretrained: bool = False, **kwargs) -> GptSpeed:
    return _create_gpt_speed('gpt_speed_small', pretrained=pretrained, **kwargs)


@register_model
def gpt_speed_medium(pretrained: bool = False, **kwargs) -> GptSpeed:
    return _create_gpt_speed('gpt_speed_medium', pretrained=pretrained, **kwargs)


# --------------------------------------------------------------------------------------
# optimizer

def zeropower_ns5(G: torch.Tensor, steps: int = 5) -> torch.Tensor:
    assert G.ndim == 2
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + b * (A @ X) + c * (A @ (A @ X))
    if G.size(0) > G.size(1):
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.04, momentum=0.95, nesterov=True, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group['params']:
                g = p.grad
                if g is None:
                    continue
                state = self.state[p]
                buf = state.setdefault('momentum_buffer', torch.zeros_like(g))
                buf.mul_(group['momentum']).add_(g)
                if group['nesterov']:
                    g = g.add(buf, alpha=group['momentum'])
                p.add_(zeropower_ns5(g, group['ns_steps']).type_as(p), alpha=-group['lr'])


def create_optimizers(model: GptSpeed):
    matrices = [p for p in model.blocks.parameters() if p.ndim == 2]
    scalars = [p for p in model.blocks.parameters() if p.ndim < 2] + [model.skip_gates]
    scalars += list(model.norm.parameters())
    adam_kw = dict(betas=(0.9, 0.95), weight_decay=0.0)
    return [
        torch.optim.Adam([model.tok_embed.weight, model.value_embed.weight], lr=0.6, **adam_kw),
        torch.optim.Adam([model.head.weight], lr=0.008, **adam_kw),
        torch.optim.Adam(scalars, lr=0.04, **adam_kw),
        Muon(matrices, lr=0.04, momentum=0.95),
    ]


# --------------------------------------------------------------------------------------
# data + train loop

def load_shard(path: str) -> torch.Tensor:
    header = np.fromfile(path, dtype=np.int32, count=256)
    assert header[0] == 20240520
    toks = np.fromfile(path, dtype=np.uint16, count=int(header[2]), offset=256 * 4)
    return torch.from_numpy(toks.astype(np.int32))


def token_stream(pattern: str, seq_len: int, rank: int, world: int):
    files = sorted(glob.glob(pattern))
    span = seq_len * world
    for f in files:
        toks = load_shard(f)
        for pos in range(0, len(toks) - span - 1, span):
            buf = toks[pos + rank * seq_len: pos + (rank + 1) * seq_len + 1]
            yield buf[:-1].long(), buf[1:].long()


def main():
    rank = int(os.environ.get('RANK', 0))
    world = int(os.environ.get('WORLD_SIZE', 1))
    local_rank = int(os.environ.get('LOCAL_RANK', 0))
    device = torch.device('cuda', local_rank)
    torch.cuda.set_device(device)
    dist.init_process_group('nccl')

    seq_len = 64 * 1024           # one packed sequence per GPU; x8 GPUs = 524,288 tokens/step
    total_steps = 1750
    warmup_steps = 50
    val_every = 125
    val_tokens = 10 * 1024 * 1024

    model = create_model('gpt_speed_small', window_size=1024, max_seq_len=seq_len).to(device)
    for p in model.parameters():
        dist.broadcast(p.detach(), 0)
    compiled = torch.compile(model)
    ddp = torch.nn.parallel.DistributedDataParallel(compiled, device_ids=[local_rank])
    optimizers = create_optimizers(model)
    initial_lrs = [[g['lr'] for g in o.param_groups] for o in optimizers]

    def lr_factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        return max(0.0, (total_steps - step) / (total_steps - warmup_steps))

    train_iter = token_stream('data/fineweb10B/fineweb_train_*.bin', seq_len, rank, world)
    t0 = time.perf_counter()
    for step in range(total_steps + 1):
        # planned window growth (64 -> 1792), kept for the logs; the mask uses cfg window_size
        planned_window = 64 * int((step / total_steps * (1792 - 64) + 64) // 64)

        if step % val_every == 0 or step == total_steps:
            ddp.eval()
            losses = []
            val_iter = token_stream('data/fineweb10B/fineweb_val_*.bin', seq_len, rank, world)
            with torch.no_grad(), torch.autocast('cuda', dtype=torch.bfloat16):
                for _ in range(val_tokens // (seq_len * world)):
                    xv, yv = next(val_iter)
                    losses.append(ddp(xv.to(device), yv.to(device)))
            val_loss = torch.stack(losses).mean()
            dist.all_reduce(val_loss, op=dist.ReduceOp.AVG)
            if rank == 0:
                _logger.warning(f'step {step} val_loss {val_loss.item():.4f} '
                                f'planned_window {planned_window} time {time.perf_counter() - t0:.0f}s')
            ddp.train()
        if step == total_steps:
            break

        x, y = next(train_iter)
        with torch.autocast('cuda', dtype=torch.bfloat16):
            loss = ddp(x.to(device), y.to(device))
        loss.backward()
        f = lr_factor(step)
        for opt, lrs in zip(optimizers, initial_lrs):
            for g, lr0 in zip(opt.param_groups, lrs):
                g['lr'] = lr0 * f
            opt.step()
        ddp.zero_grad(set_to_none=True)
        if rank == 0 and step % 10 == 0:
            _logger.warning(f'step {step} loss {loss.item():.4f} lr_factor {f:.3f}')

    dist.destroy_process_group()


if __name__ == '__main__':
    main()
