"""GPT pretraining as a Ray Train job.

    python ray_fp8_longshort.py --num-workers 8

All hyperparameters travel in the `config` dict that Ray hands to `train_loop_per_worker`;
the dict itself is assembled at the bottom of this file.
"""
import argparse
import glob
import os
import time
from functools import lru_cache

import ray
import ray.train
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from ray.train import RunConfig, ScalingConfig
from ray.train.torch import TorchTrainer
from torch import Tensor
from torch.nn.attention.flex_attention import BlockMask, flex_attention

# ------------------------------------------------------------------------------------------------
# fp8 matmul for the output projection


@torch.library.custom_op("raygpt::fp8_mm", mutates_args=())
def fp8_mm(x: Tensor, w: Tensor, x_s: float, w_s: float, grad_s: float) -> tuple[Tensor, Tensor, Tensor]:
    @torch.compile
    def impl(x: Tensor, w: Tensor):
        x_f8 = x.mul(x_s).to(torch.float8_e4m3fn)
        w_f8 = w.mul(w_s).to(torch.float8_e4m3fn)
        out = torch._scaled_mm(x_f8, w_f8.t(), out_dtype=torch.bfloat16,
                               scale_a=x.new_tensor(1 / x_s, dtype=torch.float32),
                               scale_b=x.new_tensor(1 / w_s, dtype=torch.float32),
                               use_fast_accum=True)
        return out, x_f8, w_f8
    return impl(x, w)


@fp8_mm.register_fake
def _(x: Tensor, w: Tensor, *_):
    return x @ w.t(), x.to(torch.float8_e4m3fn), w.to(torch.float8_e4m3fn)


@torch.library.custom_op("raygpt::fp8_mm_bwd", mutates_args=())
def fp8_mm_bwd(g: Tensor, x_f8: Tensor, w_f8: Tensor, x_s: float, w_s: float, grad_s: float) -> tuple[Tensor, Tensor]:
    @torch.compile
    def impl(grad: Tensor, x_f8: Tensor, w_f8: Tensor):
        grad_f8 = grad.mul(grad_s).to(torch.float8_e5m2)
        inv = lambda s: grad.new_tensor(1 / s, dtype=torch.float32)
        grad_x = torch._scaled_mm(grad_f8, w_f8.t().contiguous().t(), out_dtype=torch.bfloat16,
                                  scale_a=inv(grad_s), scale_b=inv(w_s), use_fast_accum=False)
        grad_w = torch._scaled_mm(x_f8.t().contiguous(), grad_f8.t().contiguous().t(), out_dtype=torch.float32,
                                  scale_a=inv(x_s), scale_b=inv(grad_s), use_fast_accum=False).t()
        return grad_x, grad_w
    return impl(g, x_f8, w_f8)


@fp8_mm_bwd.register_fake
def _(g: Tensor, x_f8: Tensor, w_f8: Tensor, *_):
    return x_f8.to(torch.bfloat16), w_f8.to(torch.float32)


def _fp8_backward(ctx, grad_out: Tensor, *_):
    x_f8, w_f8 = ctx.saved_tensors
    gx, gw = torch.ops.raygpt.fp8_mm_bwd(grad_out, x_f8, w_f8, *ctx.scales)
    return gx, gw, None, None, None


def _fp8_setup(ctx, inputs, output):
    *_, x_s, w_s, grad_s = inputs
    _, x_f8, w_f8 = output
    ctx.save_for_backward(x_f8, w_f8)
    ctx.scales = (x_s, w_s, grad_s)
    ctx.set_materialize_grads(False)


fp8_mm.register_autograd(_fp8_backward, setup_context=_fp8_setup)

# ------------------------------------------------------------------------------------------------
# Muon


@torch.compile
def orthogonalize(G: Tensor, steps: int) -> Tensor:
    assert G.ndim >= 2
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    if G.size(-2) > G.size(-1):
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        B = b * A + c * A @ A
        X = a * X + B @ X
    if G.size(-2) > G.size(-1):
        X = X.mT
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum, ns_steps, rank, world_size):
        self.rank, self.world_size = rank, world_size
        params = list(params)
        groups = []
        for size in {p.numel() for p in params}:
            buf = torch.empty(world_size, size, dtype=torch.bfloat16, device="cuda")
            groups.append(dict(params=[p for p in params if p.numel() == size],
                               update_buffer=buf, update_buffer_views=[buf[i] for i in range(world_size)]))
        super().__init__(groups, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mom = group["lr"], group["momentum"]
            buf, views = group["update_buffer"], group["update_buffer_views"]
            params = group["params"]
            handle, prev = None, None

            def apply_prev():
                if prev is None:
                    return
                handle.wait()
                for p_w, g_w in zip(prev, views):
                    p_w.add_(g_w.view_as(p_w), alpha=-lr * max(1, p_w.size(-2) / p_w.size(-1)) ** 0.5)

            for base in range(0, len(params), self.world_size):
                if base + self.rank < len(params):
                    p = params[base + self.rank]
                    st = self.state[p]
                    if "m" not in st:
                        st["m"] = torch.zeros_like(p.grad)
                    st["m"].lerp_(p.grad, 1 - mom)
                    g = p.grad.lerp_(st["m"], mom)
                    g = orthogonalize(g, group["ns_steps"]).flatten()
                else:
                    g = views[self.rank]
                apply_prev()
                handle = dist.all_gather_into_tensor(buf, g, async_op=True)
                prev = params[base:base + self.world_size]
            apply_prev()


# ------------------------------------------------------------------------------------------------
# model


def rms(x: Tensor) -> Tensor:
    return F.rms_norm(x, (x.size(-1),))


class Linear(nn.Linear):
    def __init__(self, fan_in, fan_out, fp8=False, scales=(1.0, 1.0, 1.0)):
        super().__init__(fan_in, fan_out, bias=False)
        self.fp8, self.scales = fp8, scales

    def reset_parameters(self):
        bound = 3 ** 0.5 * 0.5 * self.in_features ** -0.5
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)

    def forward(self, x):
        if self.fp8 and self.training:
            flat = x.flatten(0, -2)
            out = torch.ops.raygpt.fp8_mm(flat, self.weight, *self.scales)[0]
            return out.reshape(*x.shape[:-1], -1)
        return F.linear(x, self.weight.type_as(x))


class Rotary(nn.Module):
    def __init__(self, head_dim: int, max_len: int):
        super().__init__()
        freq = (1 / 1024) ** torch.linspace(0, 1, steps=head_dim // 4, dtype=torch.float32)
        freq = torch.cat([freq, freq.new_zeros(head_dim // 4)])
        theta = torch.outer(torch.arange(max_len, dtype=torch.float32), freq)
        self.cos = nn.Buffer(theta.cos(), persistent=False)
        self.sin = nn.Buffer(theta.sin(), persistent=False)

    def forward(self, x):
        T = x.size(-3)
        cos, sin = self.cos[None, :T, None, :], self.sin[None, :T, None, :]
        a, b = x.float().chunk(2, dim=-1)
        return torch.cat((a * cos + b * sin, -a * sin + b * cos), 3).type_as(x)


class Attention(nn.Module):
    def __init__(self, dim, heads, head_dim, max_len, qk_scale):
        super().__init__()
        self.heads, self.head_dim = heads, head_dim
        bound = 3 ** 0.5 * 0.5 * dim ** -0.5
        self.qkv_w = nn.Parameter(torch.empty(3, heads * head_dim, dim).uniform_(-bound, bound))
        self.rotary = Rotary(head_dim, max_len)
        self.c_proj = Linear(heads * head_dim, dim)
        self.c_proj.weight.detach().zero_()
        self.qk_scale = qk_scale

    def forward(self, x, block_mask):
        B, T = x.size(0), x.size(1)
        qkv = F.linear(x, self.qkv_w.flatten(end_dim=1).type_as(x))
        q, k, v = qkv.view(B, T, 3 * self.heads, self.head_dim).chunk(3, dim=-2)
        q, k = rms(q), rms(k)
        q, k = self.rotary(q), self.rotary(k)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                           block_mask=block_mask, scale=self.qk_scale)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, -1))


class MLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.c_fc, self.c_proj = Linear(dim, 4 * dim), Linear(4 * dim, dim)
        self.c_proj.weight.detach().zero_()

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attn = Attention(cfg["model_dim"], cfg["num_heads"], cfg["head_dim"], cfg["max_len"], cfg["attn_scale"])
        self.mlp = MLP(cfg["model_dim"])
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0, bm):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        x = x + self.attn(rms(x), bm)
        return x + self.mlp(rms(x))


def next_multiple_of_n(v, *, n):
    return next(m for m in range(n, int(v) + 1 + n, n) if m >= v)


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.window_pattern = cfg["window_pattern"]
        self.embed = nn.Embedding(cfg["vocab_size"], cfg["model_dim"])
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg["num_layers"])])
        self.lm_head = Linear(cfg["model_dim"], next_multiple_of_n(cfg["vocab_size"], n=128),
                              fp8=True, scales=cfg["fp8_scales"])
        self.lm_head.weight.detach().zero_()

    @staticmethod
    def block_masks(idx: Tensor, window_blocks: Tensor):
        BS = 128
        docs = (idx == 50256).cumsum(0)

        def doc_causal(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])

        def to_ordered(dense):
            n = dense.sum(dim=-1, dtype=torch.int32)
            ind = dense.argsort(dim=-1, descending=False, stable=True).flip(-1).to(torch.int32)
            return n[None, None].contiguous(), ind[None, None].contiguous()

        nb = len(idx) // BS
        bi = torch.arange(nb, dtype=torch.int32, device="cuda")
        lo = docs.view(-1, BS)[:, 0].contiguous()
        hi = docs.view(-1, BS)[:, -1].contiguous()
        any_bm = (bi[:, None] >= bi) & (lo[:, None] <= hi) & (hi[:, None] >= lo)
        all_bm = (bi[:, None] > bi) & (lo[:, None] == hi) & (hi[:, None] == lo)
        p_n, p_i = to_ordered(any_bm & ~all_bm)
        f_n, f_i = to_ordered(all_bm)

        def build(w: Tensor) -> BlockMask:
            return BlockMask.from_kv_blocks(torch.clamp_max(p_n, torch.clamp_min(w - f_n, 1)), p_i,
                                            torch.clamp_max(f_n, w - 1), f_i, BLOCK_SIZE=BS, mask_mod=doc_causal)
        return {"long": build(window_blocks), "short": build(window_blocks // 2)}

    def forward(self, idx, target, window_blocks):
        masks = self.block_masks(idx, window_blocks)
        x = x0 = rms(self.embed(idx)[None])
        for blk, kind in zip(self.blocks, self.window_pattern):
            x = blk(x, x0, masks[kind])
        logits = self.lm_head(rms(x))
        logits = 30 * torch.sigmoid(logits.float() / 7.5)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), target)


# ------------------------------------------------------------------------------------------------
# data


def load_shard(path):
    header = torch.from_file(path, False, 256, dtype=torch.int32)
    n = int(header[2])
    with open(path, "rb", buffering=0) as f:
        toks = torch.empty(n, dtype=torch.uint16, pin_memory=True)
        f.seek(1024)
        assert f.readinto(toks.numpy()) == 2 * n
    return toks


def token_batches(pattern, batch_tokens, rank, world):
    per = batch_tokens // world
    files = iter(sorted(glob.glob(pattern)))
    toks, pos = load_shard(next(files)), 0
    while True:
        if pos + batch_tokens + 1 >= len(toks):
            toks, pos = load_shard(next(files)), 0
        buf = toks[pos + rank * per:][:per + 1]
        pos += batch_tokens
        yield (buf[:-1].to("cuda", dtype=torch.int32, non_blocking=True),
               buf[1:].to("cuda", dtype=torch.int64, non_blocking=True))


# ------------------------------------------------------------------------------------------------
# worker


def train_loop_per_worker(config: dict):
    ctx = ray.train.get_context()
    rank, world = ctx.get_world_rank(), ctx.get_world_size()
    device = ray.train.torch.get_device()
    torch.cuda.set_device(device)

    model = GPT(config).cuda()
    for m in model.modules():
        if isinstance(m, nn.Embedding):
            m.bfloat16()
    for p in model.parameters():
        dist.broadcast(p.detach(), 0)

    matrices = [p for n, p in model.blocks.named_parameters() if p.ndim >= 2]
    scalars = [p for p in model.parameters() if p.ndim < 2]
    adam = torch.optim.Adam([dict(params=[model.lm_head.weight], lr=config["lr_head"]),
                             dict(params=[model.embed.weight], lr=config["lr_embed"]),
                             dict(params=scalars, lr=config["lr_scalar"])],
                            betas=config["adam_betas"], eps=config["adam_eps"], fused=True)
    muon = Muon(matrices, lr=config["lr_muon"], momentum=0.95, ns_steps=config["ns_steps"], rank=rank, world_size=world)
    optimizers = [adam, muon]
    steps = config["num_iterations"]

    def lr_mult(step):
        t = 1 - step / steps
        w = min(t / config["cooldown_frac"], 1.0)
        return w * 1.0 + (1 - w) * config["lr_floor"]

    scheds = [torch.optim.lr_scheduler.LambdaLR(o, lr_mult) for o in optimizers]

    @lru_cache(1)
    def window_tensor(tokens: int):
        return torch.tensor(tokens // 128, dtype=torch.int32, pin_memory=True).cuda(non_blocking=True)

    cmodel = torch.compile(model, dynamic=False)
    train_it = token_batches(config["train_glob"], world * config["seq_len"], rank, world)
    t0 = time.perf_counter()
    for step in range(steps + 1):
        last = step == steps
        window = next_multiple_of_n(config["window_max"] * step / steps, n=128)
        if last or step % config["val_every"] == 0:
            cmodel.eval()
            vb = world * config["val_seq_len"]
            vit = token_batches(config["val_glob"], vb, rank, world)
            vloss = torch.zeros((), device="cuda")
            with torch.no_grad():
                for _ in range(config["val_tokens"] // vb):
                    vx, vy = next(vit)
                    vloss += cmodel(vx, vy, window_tensor(window))
            vloss /= config["val_tokens"] // vb
            dist.all_reduce(vloss, op=dist.ReduceOp.AVG)
            ray.train.report({"step": step, "val_loss": vloss.item(), "train_time_s": time.perf_counter() - t0})
            cmodel.train()
        if last:
            break

        x, y = next(train_it)
        cmodel(x, y, window_tensor(window)).backward()
        for p in model.parameters():
            dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
        frac = min(step / config["momentum_warmup_steps"], 1)
        for g in muon.param_groups:
            g["momentum"] = (1 - frac) * 0.85 + frac * 0.95
        for o, s in zip(optimizers, scheds):
            o.step()
            s.step()
        model.zero_grad(set_to_none=True)


# ------------------------------------------------------------------------------------------------
# driver


def build_config(data_root: str) -> dict:
    config = {
        "train_glob": f"{data_root}/fineweb_train_*.bin",
        "val_glob": f"{data_root}/fineweb_val_*.bin",
        "val_tokens": 10485760,
        "vocab_size": 50257,
        "num_layers": 12,
        "num_heads": 6,
        "head_dim": 128,
        "model_dim": 768,
        "seq_len": 48 * 1024,
        "val_seq_len": 4 * 64 * 1024,
        "num_iterations": 1770,
        "cooldown_frac": 0.4,
        "lr_floor": 0.1,
        "lr_head": 0.008,
        "lr_embed": 0.6,
        "lr_scalar": 0.04,
        "lr_muon": 0.05,
        "adam_betas": (0.8, 0.95),
        "adam_eps": 1e-10,
        "ns_steps": 5,
        "momentum_warmup_steps": 300,
        "attn_scale": 0.12,
        "window_max": 1728,
        "window_pattern": ["long", "short", "short", "short", "long", "short",
                           "short", "long", "short", "short", "short", "long"],
        "fp8_scales": (2.0, 2.0 ** 9, 2.0 ** 19),
        "val_every": 125,
    }
    config["max_len"] = max(config["seq_len"], config["val_seq_len"])
    return config


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--num-workers", type=int, default=8)
    ap.add_argument("--data-root", default="/mnt/data/fineweb10B")
    cli = ap.parse_args()
    ray.init(runtime_env={"env_vars": {"PYTORCH_CUDA_ALLOC_CONF": "garbage_collection_threshold:0.8",
                                       "TORCHINDUCTOR_COORDINATE_DESCENT_TUNING": "1"}})
    trainer = TorchTrainer(
        train_loop_per_worker,
        train_loop_config=build_config(cli.data_root),
        scaling_config=ScalingConfig(num_workers=cli.num_workers, use_gpu=True),
        run_config=RunConfig(name="gpt-fp8-longshort"),
    )
    result = trainer.fit()
    print(result.metrics)
