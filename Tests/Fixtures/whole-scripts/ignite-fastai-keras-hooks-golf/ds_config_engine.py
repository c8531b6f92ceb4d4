"""
DeepSpeed-style, config-driven GPT-2 trainer -- without DeepSpeed.

Everything the run does is declared in ``DS_CONFIG`` (same keys as a
ds_config.json wherever DeepSpeed has an equivalent) and interpreted by the
small hand-written ``MiniEngine`` below: optimizer construction, LR
scheduler, bf16, gradient post-processing, and an FP8 output projection.

    torchrun --nproc_per_node=8 ds_config_engine.py [--config my.json]
"""
import argparse
import glob
import json
import math
import os
import time

import numpy as np

DS_CONFIG_TEXT = r"""
{
  "train_batch_size": 512,
  "train_micro_batch_size_per_gpu": 64,
  "gradient_accumulation_steps": 1,
  "steps_per_print": 10,
  "seq_len": 1024,
  "optimizer": {
    "type": "AdamW",
    "params": {"lr": 1.8e-3, "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.1, "fused": true}
  },
  "scheduler": {
    "type": "WarmupStableDecay",
    "params": {"warmup_num_steps": 256, "total_num_steps": 9536, "decay_num_steps": 2000, "min_ratio": 0.0}
  },
  "gradient_clipping": 0.0,
  "gradient_normalization": {"mode": "per_tensor", "eps": 1e-6},
  "bf16": {"enabled": true},
  "fp8_output_projection": {"enabled": true, "act_scale": 2.0, "weight_scale": 512.0, "grad_scale": 524288.0},
  "memory": {"expandable_segments": false},
  "model": {"n_layer": 12, "n_head": 6, "n_embd": 768, "vocab_size": 50304, "rope_theta": 10000.0},
  "eval": {"every": 128, "batches": 20}
}
"""

_ap = argparse.ArgumentParser()
_ap.add_argument("--config", default=None)
_cli = _ap.parse_args()
CFG = json.loads(open(_cli.config).read()) if _cli.config else json.loads(DS_CONFIG_TEXT)

os.environ["PYTORCH_CUDA_ALLOC_CONF"] = f"expandable_segments:{CFG['memory']['expandable_segments']}"

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import Tensor  # noqa: E402


# ----------------------------------------------------------------------------
# FP8 matmul for the output projection (training only)
# ----------------------------------------------------------------------------

@torch.library.custom_op("dsmini::f8_matmul", mutates_args=())
def f8_matmul(a: Tensor, w: Tensor, sa: float, sw: float, sg: float) -> tuple[Tensor, Tensor, Tensor]:
    a8 = (a * sa).to(torch.float8_e4m3fn)
    w8 = (w * sw).to(torch.float8_e4m3fn)
    y = torch._scaled_mm(a8, w8.t(), out_dtype=torch.bfloat16,
                         scale_a=a.new_tensor(1.0 / sa, dtype=torch.float32),
                         scale_b=a.new_tensor(1.0 / sw, dtype=torch.float32),
                         use_fast_accum=True)
    return y, a8, w8


@f8_matmul.register_fake
def _(a, w, *_):
    return a @ w.t(), a.to(torch.float8_e4m3fn), w.to(torch.float8_e4m3fn)


@torch.library.custom_op("dsmini::f8_matmul_bwd", mutates_args=())
def f8_matmul_bwd(g: Tensor, a8: Tensor, w8: Tensor, sa: float, sw: float, sg: float) -> tuple[Tensor, Tensor]:
    g8 = (g * sg).to(torch.float8_e5m2)
    inv_a = g.new_tensor(1.0 / sa, dtype=torch.float32)
    inv_w = g.new_tensor(1.0 / sw, dtype=torch.float32)
    inv_g = g.new_tensor(1.0 / sg, dtype=torch.float32)
    da = torch._scaled_mm(g8, w8.t().contiguous().t(), out_dtype=torch.bfloat16,
                          scale_a=inv_g, scale_b=inv_w, use_fast_accum=False)
    dw = torch._scaled_mm(a8.t().contiguous(), g8.t().contiguous().t(), out_dtype=torch.float32,
                          scale_a=inv_a, scale_b=inv_g, use_fast_accum=False).t()
    return da, dw


@f8_matmul_bwd.register_fake
def _(g, a8, w8, *_):
    return a8.to(torch.bfloat16), w8.to(torch.float32)


def _f8_backward(ctx, dy, *_):
    a8, w8 = ctx.saved_tensors
    da, dw = torch.ops.dsmini.f8_matmul_bwd(dy.contiguous(), a8, w8, *ctx.scales)
    return da, dw, None, None, None


def _f8_setup(ctx, inputs, output):
    *_, sa, sw, sg = inputs
    _, a8, w8 = output
    ctx.save_for_backward(a8, w8)
    ctx.scales = (sa, sw, sg)


f8_matmul.register_autograd(_f8_backward, setup_context=_f8_setup)


# ----------------------------------------------------------------------------
# model
# ----------------------------------------------------------------------------

class Rotary(nn.Module):
    def __init__(self, hd, theta):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / theta ** (torch.arange(0, hd, 2).float() / hd), persistent=False)

    def forward(self, x):
        T = x.size(1)
        f = torch.outer(torch.arange(T, device=x.device).float(), self.inv_freq)
        c, s = f.cos().to(x.dtype)[None, :, None], f.sin().to(x.dtype)[None, :, None]
        h = x.size(-1) // 2
        x1, x2 = x[..., :h], x[..., h:]
        return torch.cat([x1 * c + x2 * s, x2 * c - x1 * s], dim=-1)


class Attn(nn.Module):
    def __init__(self, mc):
        super().__init__()
        d, nh = mc["n_embd"], mc["n_head"]
        self.nh = nh
        self.c_attn = nn.Linear(d, 3 * d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)
        self.rot = Rotary(d // nh, mc["rope_theta"])

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.nh, C // self.nh) for t in (q, k, v))
        q, k = self.rot(q), self.rot(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self, mc):
        super().__init__()
        d = mc["n_embd"]
        self.attn = Attn(mc)
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.proj(F.gelu(self.fc(F.rms_norm(x, (x.size(-1),)))))


class GPT(nn.Module):
    def __init__(self, mc, f8cfg):
        super().__init__()
        self.wte = nn.Embedding(mc["vocab_size"], mc["n_embd"])
        self.h = nn.ModuleList(Block(mc) for _ in range(mc["n_layer"]))
        self.lm_head = nn.Linear(mc["n_embd"], mc["vocab_size"], bias=False)
        self.wte.weight = self.lm_head.weight
        self.f8 = f8cfg

    def project(self, x):
        if self.f8["enabled"] and self.training:
            flat = x.reshape(-1, x.size(-1))
            y = torch.ops.dsmini.f8_matmul(flat, self.lm_head.weight, self.f8["act_scale"],
                                           self.f8["weight_scale"], self.f8["grad_scale"])[0]
            return y.view(*x.shape[:-1], -1)
        return self.lm_head(x)

    def forward(self, idx, tgt):
        x = self.wte(idx)
        for blk in self.h:
            x = blk(x)
        logits = self.project(F.rms_norm(x, (x.size(-1),)))
        logits = logits.float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


# ----------------------------------------------------------------------------
# engine
# ----------------------------------------------------------------------------

def build_optimizer(model, ocfg):
    assert ocfg["type"] == "AdamW"
    p = dict(ocfg["params"])
    wd = p.pop("weight_decay")
    # GPT convention: no decay on embeddings and on vectors/scalars
    exempt = {id(model.wte.weight)}
    decay = [t for t in model.parameters() if t.dim() >= 2 and id(t) not in exempt]
    no_decay = [t for t in model.parameters() if t.dim() < 2 or id(t) in exempt]
    groups = [{"params": decay, "weight_decay": wd}]
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    return torch.optim.AdamW(groups, lr=p["lr"], betas=tuple(p["betas"]), eps=p["eps"], fused=p.get("fused", False))


def build_scheduler(opt, scfg):
    assert scfg["type"] == "WarmupStableDecay"
    p = scfg["params"]
    warm, total, dec, lo = p["warmup_num_steps"], p["total_num_steps"], p["decay_num_steps"], p["min_ratio"]

    def factor(it):
        if it < warm:
            return (it + 1) / warm
        if it < total - dec:
            return 1.0
        return lo + (1.0 - lo) * (total - it) / dec

    return torch.optim.lr_scheduler.LambdaLR(opt, factor)


class MiniEngine:
    def __init__(self, model, cfg):
        self.cfg = cfg
        self.module = model
        if cfg["bf16"]["enabled"]:
            self.module = self.module.to(torch.bfloat16)
        self.module = self.module.cuda()
        for t in self.module.parameters():
            dist.broadcast(t.detach(), 0)
        self.opt = build_optimizer(self.module, cfg["optimizer"])
        self.sched = build_scheduler(self.opt, cfg["scheduler"])
        self.fwd = torch.compile(self.module)
        self.global_steps = 0

    def __call__(self, x, y):
        return self.fwd(x, y)

    def backward(self, loss):
        (loss / self.cfg["gradient_accumulation_steps"]).backward()

    def _post_process_grads(self):
        grads = [t.grad for t in self.module.parameters() if t.grad is not None]
        for g in grads:
            dist.all_reduce(g, op=dist.ReduceOp.AVG)
        norm_cfg = self.cfg.get("gradient_normalization", {"mode": "none"})
        if norm_cfg["mode"] == "per_tensor":
            norms = torch._foreach_norm(grads)
            torch._foreach_add_(norms, norm_cfg["eps"])
            torch._foreach_div_(grads, norms)
        clip = self.cfg["gradient_clipping"]
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(self.module.parameters(), clip)

    def step(self):
        self._post_process_grads()
        self.opt.step()
        self.sched.step()
        self.opt.zero_grad(set_to_none=True)
        self.global_steps += 1

    def get_lr(self):
        return self.sched.get_last_lr()


# ----------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------

def shard(path):
    hdr = np.fromfile(path, dtype=np.int32, count=256)
    assert hdr[0] == 20240520 and hdr[1] == 1
    return np.fromfile(path, dtype=np.uint16, offset=256 * 4)


class Loader:
    def __init__(self, pattern, mb, T, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.mb, self.T, self.rank, self.world = mb, T, rank, world
        self.reset()

    def reset(self):
        self.i, self.tok = 0, shard(self.files[0])
        self.pos = self.rank * self.mb * self.T

    def next(self):
        n = self.mb * self.T
        b = torch.from_numpy(self.tok[self.pos:self.pos + n + 1].astype(np.int64))
        self.pos += n * self.world
        if self.pos + n * self.world + 1 > len(self.tok):
            self.i = (self.i + 1) % len(self.files)
            self.tok, self.pos = shard(self.files[self.i]), self.rank * n
        return b[:-1].view(self.mb, self.T).cuda(), b[1:].view(self.mb, self.T).cuda()


# ----------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------

def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    mb, T = CFG["train_micro_batch_size_per_gpu"], CFG["seq_len"]
    assert CFG["train_batch_size"] == mb * world * CFG["gradient_accumulation_steps"], "batch config mismatch"
    tokens_per_step = CFG["train_batch_size"] * T

    engine = MiniEngine(GPT(CFG["model"], CFG["fp8_output_projection"]), CFG)
    train = Loader(os.environ["NANOGPT_TRAIN_FILES"], mb, T, rank, world)
    val = Loader(os.environ["NANOGPT_VAL_FILES"], mb, T, rank, world)
    total = CFG["scheduler"]["params"]["total_num_steps"]
    ev = CFG["eval"]
    if rank == 0:
        print(f"tokens/step {tokens_per_step:,}  steps {total}  world {world}")

    t0 = time.time()
    for step in range(total + 1):
        if step % ev["every"] == 0 or step == total:
            engine.module.eval()
            val.reset()
            acc = torch.zeros((), device="cuda")
            with torch.no_grad():
                for _ in range(ev["batches"]):
                    vx, vy = val.next()
                    acc += engine(vx, vy)
            acc /= ev["batches"]
            dist.all_reduce(acc, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step:{step}/{total} val_loss:{acc.item():.4f} train_time:{1000 * (time.time() - t0):.0f}ms")
            engine.module.train()
        if step == total:
            break
        for _ in range(CFG["gradient_accumulation_steps"]):
            x, y = train.next()
            loss = engine(x, y)
            engine.backward(loss)
        engine.step()
        if rank == 0 and step % CFG["steps_per_print"] == 0:
            print(f"step {step} loss {loss.item():.4f} lr {engine.get_lr()[0]:.2e}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
