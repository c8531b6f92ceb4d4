"""Everything that can be tuned is in the YAML block below; it is parsed once at start-up."""
import os

os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")

import glob
import math

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
import yaml
from torch.nn.parallel import DistributedDataParallel as DDP

RUN_YAML = """
model:
  vocab: 50304           # GPT-2's 50257 rounded up to a multiple of 128
  width: 768
  depth: 12
  heads: 12
  head_fp8: {x_scale: 2.0, w_scale: 512.0, g_scale: 524288.0}   # 2**1, 2**9, 2**19
  sigmoid_cap: {height: 30.0, temperature: 7.5}
train:
  seq_len: 49152          # 48 * 1024 tokens in a single packed row
  val_seq_len: 262144     # 4 * 64 * 1024
  iterations: 1770
  warmup_steps: 50
  min_lr_ratio: 0.1
  guard_skip_after: 5
  val_every: 125
  val_tokens: 10485760
optim:
  muon: {lr: 0.03, momentum: 0.95}
  adam: {lr: 0.01, betas: [0.9, 0.95], eps: 1.0e-8}   # embedding + head share one group
data:
  train: data/fineweb10B/fineweb_train_*.bin
  val: data/fineweb10B/fineweb_val_*.bin
"""
C = yaml.safe_load(RUN_YAML)
M, TR, OP = C["model"], C["train"], C["optim"]


# ------------------------------------------------------------- FP8 head op
@torch.library.custom_op("yamlrun::fp8_head", mutates_args=())
def fp8_head(x: torch.Tensor, w: torch.Tensor, xs: float, ws: float, gs: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    xq = (x * xs).to(torch.float8_e4m3fn)
    wq = (w * ws).to(torch.float8_e4m3fn)
    y = torch._scaled_mm(xq, wq.T, out_dtype=torch.bfloat16,
                         scale_a=torch.tensor(1.0 / xs, device=x.device),
                         scale_b=torch.tensor(1.0 / ws, device=x.device), use_fast_accum=True)
    return y, xq, wq


@fp8_head.register_fake
def _(x, w, xs, ws, gs):
    return x @ w.T, x.to(torch.float8_e4m3fn), w.to(torch.float8_e4m3fn)


@torch.library.custom_op("yamlrun::fp8_head_bwd", mutates_args=())
def fp8_head_bwd(g: torch.Tensor, xq: torch.Tensor, wq: torch.Tensor, xs: float, ws: float, gs: float) -> tuple[torch.Tensor, torch.Tensor]:
    one = lambda s: torch.tensor(1.0 / s, device=g.device, dtype=torch.float32)
    gq = (g * gs).to(torch.float8_e5m2)
    dx = torch._scaled_mm(gq, wq.T.contiguous().T, out_dtype=torch.bfloat16, scale_a=one(gs), scale_b=one(ws))
    dw = torch._scaled_mm(xq.T.contiguous(), gq.T.contiguous().T, out_dtype=torch.float32,
                          scale_a=one(xs), scale_b=one(gs)).T
    return dx, dw


@fp8_head_bwd.register_fake
def _(g, xq, wq, *scales):
    return xq.to(torch.bfloat16), wq.to(torch.float32)


def _setup(ctx, inputs, output):
    *_, xs, ws, gs = inputs
    ctx.save_for_backward(output[1], output[2])
    ctx.scales = (xs, ws, gs)


def _backward(ctx, grad_y, *_):
    xq, wq = ctx.saved_tensors
    dx, dw = torch.ops.yamlrun.fp8_head_bwd(grad_y.contiguous(), xq, wq, *ctx.scales)
    return dx, dw, None, None, None


fp8_head.register_autograd(_backward, setup_context=_setup)


# ------------------------------------------------------------- model
class Linear32(nn.Linear):
    """fp32 master weight, matmul in whatever dtype the activations arrive in."""

    def __init__(self, i, o, fp8=None):
        super().__init__(i, o, bias=False)
        self.fp8 = fp8

    def forward(self, x):
        if self.fp8 is not None and self.training:
            flat = x.reshape(-1, x.size(-1)).contiguous()
            y = fp8_head(flat, self.weight, self.fp8["x_scale"], self.fp8["w_scale"], self.fp8["g_scale"])[0]
            return y.view(*x.shape[:-1], -1)
        return F.linear(x, self.weight.to(x.dtype))


class RoPE(nn.Module):
    def __init__(self, hd, length):
        super().__init__()
        f = 1.0 / (10000.0 ** (torch.arange(0, hd, 2).float() / hd))
        a = torch.outer(torch.arange(length).float(), f)
        self.register_buffer("cs", torch.stack([a.cos(), a.sin()]), persistent=False)

    def forward(self, x):
        cos, sin = self.cs[0, : x.size(1), None, :], self.cs[1, : x.size(1), None, :]
        p, q = x.float().chunk(2, -1)
        return torch.cat([p * cos + q * sin, q * cos - p * sin], -1).type_as(x)


class Block(nn.Module):
    def __init__(self, d, h, L):
        super().__init__()
        self.h = h
        self.qkv, self.o = Linear32(d, 3 * d), Linear32(d, d)
        self.up, self.down = Linear32(d, 4 * d), Linear32(4 * d, d)
        self.rope = RoPE(d // h, L)

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = self.qkv(F.rms_norm(x, (D,))).view(B, T, 3, self.h, D // self.h).unbind(2)
        q, k = self.rope(q), self.rope(k)
        a = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        x = x + self.o(a.transpose(1, 2).reshape(B, T, D))
        return x + self.down(F.gelu(self.up(F.rms_norm(x, (D,)))))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        L = max(TR["seq_len"], TR["val_seq_len"])
        self.embed = nn.Embedding(M["vocab"], M["width"])
        self.blocks = nn.ModuleList(Block(M["width"], M["heads"], L) for _ in range(M["depth"]))
        self.head = Linear32(M["width"], M["vocab"], fp8=M["head_fp8"])

    def forward(self, ids, tgt):
        x = self.embed(ids)[None]
        for b in self.blocks:
            x = b(x)
        z = self.head(F.rms_norm(x, (x.size(-1),)))
        sc = M["sigmoid_cap"]
        z = sc["height"] * torch.sigmoid(z.float() / sc["temperature"])
        return F.cross_entropy(z.view(-1, z.size(-1)), tgt)


# ------------------------------------------------------------- optimizer
def ns5(G):
    X = G.bfloat16()
    t = G.size(0) > G.size(1)
    X = X.T if t else X
    X = X / (X.norm() + 1e-7)
    for _ in range(5):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750) * (A @ X) + 2.0315 * (A @ (A @ X))
    return X.T if t else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                s = self.state[p]
                s.setdefault("v", torch.zeros_like(p)).mul_(g["momentum"]).add_(p.grad)
                p.add_(ns5(p.grad + g["momentum"] * s["v"]).type_as(p), alpha=-g["lr"])


# ------------------------------------------------------------- data
def stream(pattern, n, rank, world):
    for f in sorted(glob.glob(pattern)):
        toks = torch.from_file(f, False, os.path.getsize(f) // 2, dtype=torch.uint16)[512:]
        for i in range(0, len(toks) - world * n - 1, world * n):
            chunk = toks[i + rank * n: i + rank * n + n + 1].to(torch.int64)
            yield chunk[:-1].cuda(), chunk[1:].cuda()


def main():
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    dev = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    torch.cuda.set_device(dev)
    dist.init_process_group("nccl", device_id=dev)

    net = Net().to(dev)
    for mod in net.modules():
        if isinstance(mod, nn.Embedding):
            mod.to(torch.bfloat16)
    model = DDP(net, device_ids=[dev.index], broadcast_buffers=False, gradient_as_bucket_view=True)

    mats = [p for p in net.blocks.parameters() if p.ndim == 2]
    adam = torch.optim.Adam([net.embed.weight, net.head.weight], lr=OP["adam"]["lr"],
                            betas=tuple(OP["adam"]["betas"]), eps=OP["adam"]["eps"])
    muon = Muon(mats, **OP["muon"])
    opts = [adam, muon]
    for o in opts:
        for g in o.param_groups:
            g["base"] = g["lr"]
    compiled = torch.compile(model)

    train = stream(C["data"]["train"], TR["seq_len"], rank, world)
    for step in range(TR["iterations"] + 1):
        if step % TR["val_every"] == 0 or step == TR["iterations"]:
            net.eval()
            vl, nval = torch.zeros((), device=dev), TR["val_tokens"] // (world * TR["val_seq_len"])
            vs = stream(C["data"]["val"], TR["val_seq_len"], rank, world)
            with torch.no_grad():
                for _ in range(nval):
                    vl += compiled(*next(vs))
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step {step} val_loss {(vl / nval).item():.4f}")
            net.train()
        if step == TR["iterations"]:
            break
        x, y = next(train)
        if step >= TR["guard_skip_after"]:
            with torch.compiler.set_stance(skip_guard_eval_unsafe=True):
                compiled(x, y).backward()
        else:
            compiled(x, y).backward()
        if step < TR["warmup_steps"]:
            scale = (step + 1) / TR["warmup_steps"]
        else:
            prog = (step - TR["warmup_steps"]) / (TR["iterations"] - TR["warmup_steps"])
            scale = TR["min_lr_ratio"] + (1 - TR["min_lr_ratio"]) * 0.5 * (1 + math.cos(math.pi * prog))
        for o in opts:
            for g in o.param_groups:
                g["lr"] = g["base"] * scale
            o.step()
        model.zero_grad(set_to_none=True)

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
