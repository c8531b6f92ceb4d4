""" GPT language models with a timm-style model registry

Models are built through ``create_model(name, **kwargs)``; every registered
factory takes ``pretrained`` and arbitrary ``**kwargs`` that override the
architecture defaults, mirroring ``timm.create_model``.

Train:
    torchrun --nproc_per_node=8 timm_registry_gpt.py --model gpt2_rope_124m
"""
import argparse
import fnmatch
import glob
import logging
import math
import os
import time
from functools import partial
from typing import Callable, Dict, Optional

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

__all__ = ["GPT", "create_model", "list_models", "register_model"]

_logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# registry

_model_entrypoints: Dict[str, Callable] = {}
_model_default_cfgs: Dict[str, dict] = {}


def register_model(fn: Callable) -> Callable:
    name = fn.__name__
    if name in _model_entrypoints:
        _logger.warning(f"overwriting model entrypoint {name}")
    _model_entrypoints[name] = fn
    return fn


def list_models(filter: str = "*"):
    return sorted(n for n in _model_entrypoints if fnmatch.fnmatch(n, filter))


def create_model(model_name: str, pretrained: bool = False, checkpoint_path: str = "", **kwargs):
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    if model_name not in _model_entrypoints:
        raise RuntimeError(f"Unknown model ({model_name}); available: {list_models()}")
    model = _model_entrypoints[model_name](pretrained=pretrained, **kwargs)
    if checkpoint_path:
        state = torch.load(checkpoint_path, map_location="cpu")
        model.load_state_dict(state.get("state_dict", state))
    return model


def _cfg(url: str = "", **kwargs):
    return {"url": url, "vocab_size": 50304, "max_seq_len": 1024, "tokenizer": "gpt2", **kwargs}


default_cfgs = {
    "gpt2_small": _cfg(vocab_size=50257),
    "gpt2_rope_124m": _cfg(),
    "gpt2_rope_qknorm_124m": _cfg(),
    "gpt2_rope_350m": _cfg(),
}


# ---------------------------------------------------------------------------------------------
# layers

class RotaryEmbedding(nn.Module):
    def __init__(self, dim: int, theta: float = 10000.0):
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, dim, 2).float() / dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        self._cache = (0, None, None)

    def get_cos_sin(self, seq_len: int, device):
        if self._cache[0] != seq_len:
            t = torch.arange(seq_len, device=device).type_as(self.inv_freq)
            freqs = torch.outer(t, self.inv_freq)
            self._cache = (seq_len, freqs.cos().bfloat16(), freqs.sin().bfloat16())
        return self._cache[1], self._cache[2]


def apply_rot(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    # x: (B, T, H, D)
    d = x.shape[-1] // 2
    cos, sin = cos[None, :, None, :], sin[None, :, None, :]
    x1, x2 = x[..., :d], x[..., d:]
    return torch.cat([x1 * cos + x2 * sin, -x1 * sin + x2 * cos], dim=-1).type_as(x)


class Attention(nn.Module):
    def __init__(
        self,
        dim: int,
        num_heads: int = 12,
        qk_norm: bool = False,
        pos_embed: str = "rope",
        rope_theta: float = 10000.0,
        norm_layer: Callable = nn.LayerNorm,
    ):
        super().__init__()
        assert dim % num_heads == 0
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.qkv = nn.Linear(dim, dim * 3, bias=False)
        self.q_norm = norm_layer(self.head_dim) if qk_norm else nn.Identity()
        self.k_norm = norm_layer(self.head_dim) if qk_norm else nn.Identity()
        self.proj = nn.Linear(dim, dim, bias=False)
        self.rope = RotaryEmbedding(self.head_dim, rope_theta) if pos_embed == "rope" else None

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).reshape(B, T, 3, self.num_heads, self.head_dim).unbind(2)
        q, k = self.q_norm(q), self.k_norm(k)
        if self.rope is not None:
            cos, sin = self.rope.get_cos_sin(T, x.device)
            q, k = apply_rot(q, cos, sin), apply_rot(k, cos, sin)
        x = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(x.transpose(1, 2).reshape(B, T, C))


class Mlp(nn.Module):
    def __init__(self, in_features: int, hidden_features: int, act_layer: Callable = nn.GELU):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features, bias=False)
        self.act = act_layer()
        self.fc2 = nn.Linear(hidden_features, in_features, bias=False)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, num_heads, depth, mlp_ratio=4.0, qk_norm=False, pos_embed="rope",
                 rope_theta=10000.0, attn_residual_scale=True, act_layer=nn.GELU, norm_layer=nn.LayerNorm):
        super().__init__()
        self.norm1 = norm_layer(dim)
        self.attn = Attention(dim, num_heads, qk_norm=qk_norm, pos_embed=pos_embed,
                              rope_theta=rope_theta, norm_layer=norm_layer)
        self.norm2 = norm_layer(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), act_layer=act_layer)
        self.attn_scale = (2 * depth) ** -0.5 if attn_residual_scale else 1.0

    def forward(self, x):
        x = x + self.attn_scale * self.attn(self.norm1(x))
        x = x + self.mlp(self.norm2(x))
        return x


class GPT(nn.Module):
    def __init__(
        self,
        vocab_size: int = 50257,
        max_seq_len: int = 1024,
        embed_dim: int = 768,
        depth: int = 12,
        num_heads: int = 12,
        mlp_ratio: float = 4.0,
        qk_norm: bool = False,
        pos_embed: str = "learned",
        rope_theta: float = 10000.0,
        attn_residual_scale: bool = True,
        act_layer: Optional[Callable] = None,
        norm_layer: Optional[Callable] = None,
        weight_init_std: float = 0.02,
    ):
        super().__init__()
        act_layer = act_layer or partial(nn.GELU, approximate="tanh")
        norm_layer = norm_layer or partial(nn.LayerNorm, eps=1e-5)
        self.vocab_size = vocab_size
        self.wte = nn.Embedding(vocab_size, embed_dim)
        self.wpe = nn.Embedding(max_seq_len, embed_dim) if pos_embed == "learned" else None
        self.blocks = nn.Sequential(*[
            Block(embed_dim, num_heads, depth, mlp_ratio, qk_norm, pos_embed, rope_theta,
                  attn_residual_scale, act_layer, norm_layer)
            for _ in range(depth)
        ])
        self.norm = norm_layer(embed_dim)
        self.head = nn.Linear(embed_dim, vocab_size, bias=False)
        self.head.weight = self.wte.weight
        self.apply(partial(self._init_weights, std=weight_init_std))

    @staticmethod
    def _init_weights(m, std=0.02):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, mean=0.0, std=std)

    def forward_features(self, idx):
        x = self.wte(idx)
        if self.wpe is not None:
            x = x + self.wpe(torch.arange(idx.size(1), device=idx.device))
        x = self.blocks(x)
        return self.norm(x)

    def forward_head(self, x):
        return self.head(x)

    def forward(self, idx, targets=None):
        logits = self.forward_head(self.forward_features(idx))
        logits = logits.float()
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def _create_gpt(variant: str, pretrained: bool = False, **kwargs):
    cfg = default_cfgs[variant]
    kwargs.setdefault("vocab_size", cfg["vocab_size"])
    kwargs.setdefault("max_seq_len", cfg["max_seq_len"])
    model = GPT(**kwargs)
    model.default_cfg = cfg
    if pretrained:
        if not cfg["url"]:
            raise RuntimeError(f"no pretrained weights for {variant}")
        model.load_state_dict(torch.hub.load_state_dict_from_url(cfg["url"], map_location="cpu"))
    return model


@register_model
def gpt2_small(pretrained=False, **kwargs):
    model_args = dict(embed_dim=768, depth=12, num_heads=12, pos_embed="learned")
    return _create_gpt("gpt2_small", pretrained=pretrained, **dict(model_args, **kwargs))


@register_model
def gpt2_rope_124m(pretrained=False, **kwargs):
    model_args = dict(embed_dim=768, depth=12, num_heads=6, pos_embed="rope")
    return _create_gpt("gpt2_rope_124m", pretrained=pretrained, **dict(model_args, **kwargs))


@register_model
def gpt2_rope_qknorm_124m(pretrained=False, **kwargs):
    model_args = dict(embed_dim=768, depth=12, num_heads=6, pos_embed="rope", qk_norm=True)
    return _create_gpt("gpt2_rope_qknorm_124m", pretrained=pretrained, **dict(model_args, **kwargs))


@register_model
def gpt2_rope_350m(pretrained=False, **kwargs):
    model_args = dict(embed_dim=1024, depth=24, num_heads=8, pos_embed="rope")
    return _create_gpt("gpt2_rope_350m", pretrained=pretrained, **dict(model_args, **kwargs))


# ---------------------------------------------------------------------------------------------
# optim / sched factories

def _newton_schulz(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + eps)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    if G.size(0) > G.size(1):
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                buf = st.setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                if g.ndim == 2:
                    g = _newton_schulz(g)
                p.add_(g.type_as(p), alpha=-group["lr"])


def param_groups_weight_decay(model: nn.Module, weight_decay: float):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim <= 1 or name.endswith(".bias") else decay).append(p)
    return [{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": weight_decay}]


def create_optimizer(model, opt="adamw", lr=0.0018, weight_decay=0.1, betas=(0.9, 0.95), eps=1e-10, momentum=0.95):
    opt = opt.lower()
    groups = param_groups_weight_decay(model, weight_decay)
    if opt == "adamw":
        return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps)
    if opt == "muon":
        return Muon(groups, lr=lr, momentum=momentum)
    if opt == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=momentum, nesterov=True)
    raise ValueError(f"unknown optimizer {opt}")


class TrapezoidLRScheduler:
    """warmup_t linear ramp -> flat -> linear warmdown to zero over the last warmdown_t updates."""

    def __init__(self, optimizer, t_initial, warmup_t=256, warmdown_t=2000):
        self.optimizer = optimizer
        self.t_initial, self.warmup_t, self.warmdown_t = t_initial, warmup_t, warmdown_t
        self.base_values = [g["lr"] for g in optimizer.param_groups]

    def _get_factor(self, t):
        if t < self.warmup_t:
            return (t + 1) / self.warmup_t
        if t < self.t_initial - self.warmdown_t:
            return 1.0
        return (self.t_initial - t) / self.warmdown_t

    def step_update(self, num_updates):
        f = self._get_factor(num_updates)
        for g, base in zip(self.optimizer.param_groups, self.base_values):
            g["lr"] = base * f


# ---------------------------------------------------------------------------------------------
# data

def _load_data_shard(file):
    header = torch.from_file(file, False, 256, dtype=torch.int32)
    assert header[0] == 20240520, "magic number mismatch in the data .bin file"
    assert header[1] == 1, "unsupported version"
    num_tokens = int(header[2])
    with open(file, "rb", buffering=0) as f:
        tokens = torch.empty(num_tokens, dtype=torch.uint16, pin_memory=True)
        f.seek(256 * 4)
        nbytes = f.readinto(tokens.numpy())
        assert nbytes == 2 * num_tokens, "number of tokens read does not match header"
    return tokens


class DistributedTokenLoader:
    def __init__(self, pattern, B, T, rank, world_size):
        self.files = sorted(glob.glob(pattern))
        self.B, self.T, self.rank, self.world_size = B, T, rank, world_size
        self.reset()

    def reset(self):
        self.file_iter = iter(self.files)
        self.tokens = _load_data_shard(next(self.file_iter))
        self.pos = 0

    def next_batch(self):
        B, T = self.B, self.T
        span = B * T * self.world_size
        if self.pos + span + 1 >= len(self.tokens):
            try:
                nxt = next(self.file_iter)
            except StopIteration:
                self.file_iter = iter(self.files)
                nxt = next(self.file_iter)
            self.tokens, self.pos = _load_data_shard(nxt), 0
        buf = self.tokens[self.pos + self.rank * B * T :][: B * T + 1]
        inputs = buf[:-1].to(device="cuda", dtype=torch.int32, non_blocking=True).view(B, T)
        targets = buf[1:].to(device="cuda", dtype=torch.int64, non_blocking=True).view(B, T)
        self.pos += span
        return inputs, targets


# ---------------------------------------------------------------------------------------------
# train

def get_args():
    p = argparse.ArgumentParser("GPT training", add_help=True)
    p.add_argument("--model", default="gpt2_rope_124m", type=str)
    p.add_argument("--opt", default="adamw", type=str)
    p.add_argument("--lr", default=0.0018, type=float)
    p.add_argument("--weight-decay", default=0.1, type=float)
    p.add_argument("--batch-size", default=64, type=int, help="sequences per device")
    p.add_argument("--seq-len", default=1024, type=int)
    p.add_argument("--total-batch-size", default=524288, type=int, help="tokens per optimizer step")
    p.add_argument("--num-iterations", default=9536, type=int)
    p.add_argument("--warmup-iters", default=256, type=int)
    p.add_argument("--warmdown-iters", default=2000, type=int)
    p.add_argument("--val-every", default=128, type=int)
    p.add_argument("--val-tokens", default=10485760, type=int)
    p.add_argument("--train-bin", default="data/fineweb10B/fineweb_train_*.bin")
    p.add_argument("--val-bin", default="data/fineweb10B/fineweb_val_*.bin")
    p.add_argument("--qk-norm", default=None, action="store_true")
    return p.parse_args()


def main():
    args = get_args()
    dist.init_process_group(backend="nccl")
    rank, world_size = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    master = rank == 0

    torch.backends.cuda.enable_cudnn_sdp(True)
    torch.backends.cuda.enable_flash_sdp(False)
    torch.backends.cuda.enable_mem_efficient_sdp(False)
    torch.backends.cuda.enable_math_sdp(False)

    tokens_per_fwdbwd = args.batch_size * args.seq_len * world_size
    assert args.total_batch_size % tokens_per_fwdbwd == 0
    grad_accum = args.total_batch_size // tokens_per_fwdbwd

    model = create_model(args.model, qk_norm=args.qk_norm).cuda()
    if master:
        print(f"{args.model}: {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M params, grad_accum={grad_accum}")
    optimizer = create_optimizer(model, opt=args.opt, lr=args.lr, weight_decay=args.weight_decay)
    scheduler = TrapezoidLRScheduler(optimizer, args.num_iterations, args.warmup_iters, args.warmdown_iters)
    model = torch.compile(model)
    model = DDP(model, device_ids=[local_rank], broadcast_buffers=False, gradient_as_bucket_view=True)

    train_loader = DistributedTokenLoader(args.train_bin, args.batch_size, args.seq_len, rank, world_size)
    val_loader = DistributedTokenLoader(args.val_bin, args.batch_size, args.seq_len, rank, world_size)
    val_steps = args.val_tokens // tokens_per_fwdbwd

    ctx = torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    t0 = time.perf_counter()
    for step in range(args.num_iterations + 1):
        last = step == args.num_iterations
        if step % args.val_every == 0 or last:
            model.eval()
            val_loader.reset()
            vl = torch.zeros((), device="cuda")
            with torch.no_grad(), ctx:
                for _ in range(val_steps):
                    vl += model(*val_loader.next_batch())
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if master:
                print(f"step:{step}/{args.num_iterations} val_loss:{vl.item() / val_steps:.4f} "
                      f"elapsed:{time.perf_counter() - t0:.0f}s")
            model.train()
        if last:
            break

        for micro in range(grad_accum):
            x, y = train_loader.next_batch()
            model.require_backward_grad_sync = micro == grad_accum - 1
            with ctx:
                loss = model(x, y) / grad_accum
            loss.backward()
        for p in model.parameters():
            if p.grad is not None:
                p.grad = p.grad / (p.grad.norm() + 1e-6)
        scheduler.step_update(step)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if master and step % 25 == 0:
            print(f"step:{step + 1}/{args.num_iterations} train_loss:{loss.item() * grad_accum:.4f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
