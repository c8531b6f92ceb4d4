"""
GPT assembled from named stages.

The network is a ``nn.ModuleDict`` of stages ("stem", "encoder", "decoder", "head");
every block is itself a ``ModuleDict`` of named sub-layers and the small glue
operations (norms, activations, caps) are ``Lambda`` layers so that the whole graph
is printable / inspectable with ``print(model)``.

    torchrun --nproc_per_node=8 staged_sequential_gpt.py
"""
import glob
import math
import os
import time
from collections import OrderedDict

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

VOCAB = 50264          # 50257 rounded up to a multiple of 8
D_MODEL = 768
N_HEAD = 8             # 96-dim heads
N_LAYER = 12
SEQ_LEN = 1024
BATCH = 32
LR = 0.0018
WARMUP = 256
WARMDOWN = 2000
TOTAL_STEPS = 9000
SOFTCAP = 30.0


class Lambda(nn.Module):
    def __init__(self, fn, desc=""):
        super().__init__()
        self.fn = fn
        self.desc = desc

    def forward(self, *args):
        return self.fn(*args)

    def extra_repr(self):
        return self.desc


rms = Lambda(lambda t: F.rms_norm(t, (t.size(-1),)), "rms_norm")
relu_sq = Lambda(lambda t: F.relu(t).square(), "relu^2")
cap = Lambda(lambda t: SOFTCAP * torch.tanh(t / SOFTCAP), f"tanh softcap {SOFTCAP}")
to_bf16 = Lambda(lambda t: t.bfloat16(), "cast bf16")


class CastLinear(nn.Linear):
    """Keeps an fp32 weight; multiplies in the dtype of the incoming activations."""

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class Rotary(nn.Module):
    def __init__(self, head_dim, base=10000):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / base ** (torch.arange(0, head_dim, 2).float() / head_dim))
        self.cache = {}

    def forward(self, T, device, dtype):
        key = (T, device, dtype)
        if key not in self.cache:
            ang = torch.outer(torch.arange(T, device=device).float(), self.inv_freq.float())
            self.cache[key] = (ang.cos().to(dtype)[None, :, None, :], ang.sin().to(dtype)[None, :, None, :])
        return self.cache[key]


def rotate_half_pairs(x, cos, sin):
    h = x.size(-1) // 2
    x1, x2 = x[..., :h], x[..., h:]
    return torch.cat((x1 * cos + x2 * sin, x2 * cos - x1 * sin), dim=-1)


class Attention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head, self.hd = n_head, dim // n_head
        self.proj_in = nn.ModuleDict(OrderedDict(
            q=CastLinear(dim, dim, bias=False),
            k=CastLinear(dim, dim, bias=False),
            v=CastLinear(dim, dim, bias=False),
        ))
        self.proj_out = CastLinear(dim, dim, bias=False)
        self.proj_out.weight.data.zero_()
        self.rotary = Rotary(self.hd)
        self.v_mix = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, v_first):
        B, T, C = x.shape
        q, k, v = (self.proj_in[n](x).view(B, T, self.n_head, self.hd) for n in ("q", "k", "v"))
        if v_first is None:
            v_first = v
        v = (1 - self.v_mix) * v + self.v_mix * v_first.view_as(v)
        q, k = rms(q), rms(k)
        cos, sin = self.rotary(T, x.device, q.dtype)
        q, k = rotate_half_pairs(q, cos, sin), rotate_half_pairs(k, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj_out(y.transpose(1, 2).reshape(B, T, C)), v_first


def make_block(dim, n_head):
    mlp = nn.Sequential(OrderedDict(
        fc=CastLinear(dim, 4 * dim, bias=False),
        act=relu_sq,
        proj=CastLinear(4 * dim, dim, bias=False),
    ))
    mlp.proj.weight.data.zero_()
    block = nn.ModuleDict(OrderedDict(
        attn_norm=rms,
        attn=Attention(dim, n_head),
        mlp_norm=rms,
        mlp=mlp,
    ))
    # mix of the running stream and the stem output, starts as pure stream
    block.register_parameter("resid_mix", nn.Parameter(torch.tensor([1.0, 0.0])))
    return block


def run_block(block, x, x0, v_first):
    x = block.resid_mix[0] * x + block.resid_mix[1] * x0
    a, v_first = block["attn"](block["attn_norm"](x), v_first)
    x = x + a
    x = x + block["mlp"](block["mlp_norm"](x))
    return x, v_first


class StagedGPT(nn.Module):
    def __init__(self):
        super().__init__()
        half = N_LAYER // 2
        self.stages = nn.ModuleDict(OrderedDict(
            stem=nn.Sequential(OrderedDict(tok=nn.Embedding(VOCAB, D_MODEL), cast=to_bf16, norm=rms)),
            encoder=nn.ModuleList([make_block(D_MODEL, N_HEAD) for _ in range(half)]),
            decoder=nn.ModuleList([make_block(D_MODEL, N_HEAD) for _ in range(N_LAYER - half)]),
            head=nn.Sequential(OrderedDict(
                norm=rms,
                unembed=CastLinear(D_MODEL, VOCAB, bias=False),
            )),
        ))
        self.stages["head"].unembed.weight = self.stages["stem"].tok.weight  # tied
        self.skip_weights = nn.Parameter(torch.ones(N_LAYER - half))

    def forward(self, idx, targets=None):
        ctx = {}
        x = None
        for name, stage in self.stages.items():
            if name == "stem":
                x = stage(idx)
                ctx["x0"], ctx["v1"], ctx["skips"] = x, None, []
            elif name == "encoder":
                for blk in stage:
                    x, ctx["v1"] = run_block(blk, x, ctx["x0"], ctx["v1"])
                    ctx["skips"].append(x)
            elif name == "decoder":
                for i, blk in enumerate(stage):
                    x = x + self.skip_weights[i] * ctx["skips"].pop()
                    x, ctx["v1"] = run_block(blk, x, ctx["x0"], ctx["v1"])
            elif name == "head":
                x = stage(x)
            else:
                raise KeyError(name)
        logits = cap(x.float())
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def build_model(device):
    model = StagedGPT().to(device)
    model = model.bfloat16()
    for m in model.modules():
        if isinstance(m, CastLinear):
            m.float()
    return model


# ----------------------------------------------------------------------------------
# data


class ShardReader:
    def __init__(self, pattern, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.rank, self.world = rank, world
        self.i = -1
        self._advance()

    def _advance(self):
        self.i = (self.i + 1) % len(self.files)
        raw = np.fromfile(self.files[self.i], dtype=np.uint16)
        self.tokens = raw[512:]
        self.cursor = self.rank * BATCH * SEQ_LEN

    def next_batch(self):
        n = BATCH * SEQ_LEN
        if self.cursor + n + 1 > len(self.tokens):
            self._advance()
        t = torch.from_numpy(self.tokens[self.cursor:self.cursor + n + 1].astype(np.int64))
        self.cursor += n * self.world
        return t[:-1].view(BATCH, SEQ_LEN), t[1:].view(BATCH, SEQ_LEN)


# ----------------------------------------------------------------------------------
# schedule


def lr_at(step):
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    if step < TOTAL_STEPS - WARMDOWN:
        return LR
    return LR * (TOTAL_STEPS - step) / WARMDOWN


def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    dev = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    torch.cuda.set_device(dev)

    model = build_model(dev)
    if rank == 0:
        print(model)
    compiled = torch.compile(model)
    ddp = nn.parallel.DistributedDataParallel(compiled, device_ids=[dev.index])

    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.95), weight_decay=0.1, fused=False)
    train = ShardReader("data/fineweb10B/fineweb_train_*.bin", rank, world)
    val = ShardReader("data/fineweb10B/fineweb_val_*.bin", rank, world)

    t0 = time.time()
    for step in range(TOTAL_STEPS + 1):
        if step % 500 == 0 or step == TOTAL_STEPS:
            ddp.eval()
            with torch.no_grad():
                vl = torch.stack([ddp(*(t.to(dev) for t in val.next_batch())) for _ in range(20)]).mean()
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step {step} val {vl.item():.4f} ({time.time() - t0:.0f}s)")
            ddp.train()
        if step == TOTAL_STEPS:
            break
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, y = train.next_batch()
        loss = ddp(x.to(dev), y.to(dev))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if rank == 0 and step % 10 == 0:
            print(f"step {step} loss {loss.item():.4f} lr {lr_at(step):.2e}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
