"""
lm_module_fp8.py -- Lightning-style LM module (no lightning import) with an FP8 output layer,
FlexAttention over one packed 48K-token stream per rank, and a manual data-parallel strategy.
"""
import os
import glob
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch import Tensor
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

flex_attention = torch.compile(flex_attention, dynamic=False)
create_block_mask = torch.compile(create_block_mask, dynamic=False)

# ----------------------------------------------------------------------------- fp8 matmul op
@torch.library.custom_op("labops::fp8_matmul", mutates_args=())
def fp8_matmul(x: Tensor, w: Tensor, sx: float, sw: float, sg: float) -> tuple[Tensor, Tensor, Tensor]:
    @torch.compile
    def impl(x: Tensor, w: Tensor):
        xq = x.mul(sx).to(torch.float8_e4m3fn)
        wq = w.mul(sw).to(torch.float8_e4m3fn)
        inv = lambda s: x.new_tensor(1.0 / s, dtype=torch.float32)
        y = torch._scaled_mm(xq, wq.t(), out_dtype=torch.bfloat16, scale_a=inv(sx), scale_b=inv(sw), use_fast_accum=True)
        return y, xq, wq
    return impl(x, w)


@fp8_matmul.register_fake
def _(x: Tensor, w: Tensor, *_):
    return x @ w.t(), x.to(torch.float8_e4m3fn), w.to(torch.float8_e4m3fn)


@torch.library.custom_op("labops::fp8_matmul_bwd", mutates_args=())
def fp8_matmul_bwd(g: Tensor, xq: Tensor, wq: Tensor, sx: float, sw: float, sg: float) -> tuple[Tensor, Tensor]:
    @torch.compile
    def impl(g: Tensor, xq: Tensor, wq: Tensor):
        inv = lambda s: g.new_tensor(1.0 / s, dtype=torch.float32)
        gq = g.mul(sg).to(torch.float8_e5m2)
        dx = torch._scaled_mm(gq, wq.t().contiguous().t(), out_dtype=torch.bfloat16,
                              scale_a=inv(sg), scale_b=inv(sw), use_fast_accum=False)
        dw = torch._scaled_mm(xq.t().contiguous(), gq.t().contiguous().t(), out_dtype=torch.float32,
                              scale_a=inv(sx), scale_b=inv(sg), use_fast_accum=False).t()
        return dx, dw
    return impl(g, xq, wq)


@fp8_matmul_bwd.register_fake
def _(g: Tensor, xq: Tensor, wq: Tensor, *_):
    return xq.to(torch.bfloat16), wq.to(torch.float32)


def _setup(ctx, inputs, output):
    *_, sx, sw, sg = inputs
    ctx.save_for_backward(output[1], output[2])
    ctx.scales = (sx, sw, sg)
    ctx.set_materialize_grads(False)


def _backward(ctx, grad_y, *_):
    xq, wq = ctx.saved_tensors
    dx, dw = torch.ops.labops.fp8_matmul_bwd(grad_y, xq, wq, *ctx.scales)
    return dx, dw, None, None, None


fp8_matmul.register_autograd(_backward, setup_context=_setup)


# ----------------------------------------------------------------------------- layers
class TypedLinear(nn.Linear):
    """fp32 master weight, cast to the activation dtype on the fly; optional fp8 path."""

    def __init__(self, fan_in, fan_out, fp8_scales=None):
        super().__init__(fan_in, fan_out, bias=False)
        self.fp8_scales = fp8_scales       # (x_scale, w_scale, grad_scale) or None

    def reset_parameters(self):
        bound = (0.75 / self.in_features) ** 0.5       # uniform with std 0.5 / sqrt(fan_in)
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)

    def forward(self, x):
        if self.fp8_scales is not None and self.training:
            flat = x.flatten(0, -2)
            y = torch.ops.labops.fp8_matmul(flat, self.weight, *self.fp8_scales)[0]
            return y.view(*x.shape[:-1], -1)
        return F.linear(x, self.weight.to(x.dtype))


def rms(t):
    return F.rms_norm(t, (t.size(-1),))


class Attn(nn.Module):
    def __init__(self, d, heads, max_len):
        super().__init__()
        self.heads = heads
        self.wq, self.wk, self.wv = TypedLinear(d, d), TypedLinear(d, d), TypedLinear(d, d)
        self.wo = TypedLinear(d, d)
        self.wo.weight.detach().zero_()
        self.vgate = nn.Parameter(torch.tensor(0.5))
        hd = d // heads
        inv = (1.0 / 10000) ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd)
        ang = torch.arange(max_len, dtype=torch.float32)[:, None] * inv[None, :]
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def rope(self, t):
        T = t.size(1)
        c, s = self.cos[None, :T, None], self.sin[None, :T, None]
        a, b = t.float().chunk(2, -1)
        return torch.cat((a * c + b * s, b * c - a * s), -1).type_as(t)

    def forward(self, x, vt, mask):
        B, T, _ = x.shape
        q, k, v = (lin(x).view(B, T, self.heads, -1) for lin in (self.wq, self.wk, self.wv))
        if vt is not None:
            v = (1 - self.vgate) * v + self.vgate * vt.view_as(v)
        q, k = self.rope(rms(q)), self.rope(rms(k))
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask)
        return self.wo(y.transpose(1, 2).reshape(B, T, -1))


class Block(nn.Module):
    def __init__(self, d, heads, max_len):
        super().__init__()
        self.attn = Attn(d, heads, max_len)
        self.up, self.down = TypedLinear(d, 4 * d), TypedLinear(4 * d, d)
        self.down.weight.detach().zero_()
        self.resmix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, emb, vt, mask):
        x = self.resmix[0] * x + self.resmix[1] * emb
        x = x + self.attn(rms(x), vt, mask)
        return x + self.down(F.relu(self.up(rms(x))).square())


class ValueTables(nn.Module):
    def __init__(self, vocab, d, depth, n=3):
        super().__init__()
        self.depth, self.tables = depth, nn.ModuleList(nn.Embedding(vocab, d) for _ in range(n))

    def forward(self, ids):
        outs = [t(ids) for t in self.tables]
        return outs + [None] * (self.depth - 2 * len(outs)) + outs     # first and last layers only


class LMModule(nn.Module):
    def __init__(self, vocab=50257, d=768, depth=12, heads=6, train_len=48 * 1024, val_len=4 * 64 * 1024):
        super().__init__()
        padded = -(-vocab // 128) * 128
        self.embed = nn.Embedding(vocab, d)
        self.values = ValueTables(vocab, d, depth)
        self.blocks = nn.ModuleList(Block(d, heads, max(train_len, val_len)) for _ in range(depth))
        self.readout = TypedLinear(d, padded, fp8_scales=(2.0, 512.0, float(1 << 19)))
        self.readout.weight.detach().zero_()
        self.train_len, self.val_len = train_len, val_len

    def forward(self, ids, targets):
        docs = (ids == 50256).cumsum(0)
        mask = create_block_mask(lambda b, h, q, k: (q >= k) & (docs[q] == docs[k]) & (q - k < 1024),
                                 None, None, ids.numel(), ids.numel(), device=ids.device, _compile=True)
        emb = rms(self.embed(ids)[None])
        vts = self.values(ids)
        x = emb
        for blk, vt in zip(self.blocks, vts):
            x = blk(x, emb, vt, mask)
        logits = self.readout(rms(x)).float()
        logits = 30.0 * torch.sigmoid(logits * (2.0 / 15.0))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)

    # ---- lightning-style hooks --------------------------------------------------
    def training_step(self, batch, idx, compiled=None):
        return (compiled or self)(*batch)

    def validation_step(self, batch, idx):
        return self(*batch).detach()

    def configure_optimizers(self, rank, world):
        hidden = [p for p in self.blocks.parameters() if p.ndim >= 2]
        embeds = [self.embed.weight, *self.values.parameters()]
        scalars = [p for p in self.parameters() if p.ndim < 2]
        adam = torch.optim.Adam([dict(params=embeds, lr=0.6), dict(params=[self.readout.weight], lr=0.008),
                                 dict(params=scalars, lr=0.04)], betas=(0.8, 0.95), eps=1e-10, fused=True)
        return [adam, GatheredOrtho(hidden, lr=0.05, rank=rank, world=world)]

    def on_train_batch_start(self, step, total, optimizers):
        frac = min(step / 300, 1)
        for g in optimizers[1].param_groups:
            g["momentum"] = 0.85 * (1 - frac) + 0.95 * frac


# ----------------------------------------------------------------------------- optimizer
def orth5(G):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    tall = G.size(0) > G.size(1)
    X = X.mT if tall else X
    X = X / (X.norm() + 1e-7)
    for _ in range(5):
        A = X @ X.mT
        X = a * X + (b * A + c * (A @ A)) @ X
    return X.mT if tall else X


class GatheredOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95, rank=0, world=1):
        self.rank, self.world = rank, world
        params = list(params)
        groups = []
        for n in sorted({p.numel() for p in params}):
            flat = torch.empty(world, n, dtype=torch.bfloat16, device="cuda")
            groups.append(dict(params=[p for p in params if p.numel() == n], flat=flat, slots=list(flat.unbind(0))))
        super().__init__(groups, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            ps, flat, slots, lr, mu = grp["params"], grp["flat"], grp["slots"], grp["lr"], grp["momentum"]
            job, owners = None, None
            for base in range(0, len(ps), self.world):
                if base + self.rank < len(ps):
                    p = ps[base + self.rank]
                    m = self.state[p].setdefault("m", torch.zeros_like(p))
                    m.lerp_(p.grad, 1 - mu)
                    upd = orth5(p.grad.lerp_(m, mu)).flatten()
                else:
                    upd = slots[self.rank]
                if job is not None:
                    job.wait()
                    for q, s in zip(owners, slots):
                        q.add_(s.view_as(q), alpha=-lr * max(1, q.size(0) / q.size(1)) ** 0.5)
                job = dist.all_gather_into_tensor(flat, upd, async_op=True)
                owners = ps[base:base + self.world]
            if job is not None:
                job.wait()
                for q, s in zip(owners, slots):
                    q.add_(s.view_as(q), alpha=-lr * max(1, q.size(0) / q.size(1)) ** 0.5)


# ----------------------------------------------------------------------------- data + trainer
def pinned_shard(path):
    hdr = torch.from_file(path, False, 256, dtype=torch.int32)
    toks = torch.empty(int(hdr[2]), dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as fh:
        fh.seek(256 * 4)
        fh.readinto(toks.numpy())
    return toks


def token_stream(pattern, per_rank, rank, world):
    for f in sorted(glob.glob(pattern)):
        toks, pos = pinned_shard(f), 0
        while pos + per_rank * world + 1 < len(toks):
            buf = toks[pos + rank * per_rank:][:per_rank + 1]
            pos += per_rank * world
            yield buf[:-1].to("cuda", torch.int32, non_blocking=True), buf[1:].to("cuda", torch.int64, non_blocking=True)


class ManualDPTrainer:
    def __init__(self, steps=1770, val_every=125, val_tokens=10485760, cooldown_frac=0.4):
        self.steps, self.val_every, self.val_tokens, self.cool = steps, val_every, val_tokens, cooldown_frac
        dist.init_process_group("nccl", device_id=torch.device("cuda", int(os.environ["LOCAL_RANK"])))
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))

    def fit(self, module: LMModule):
        module = module.cuda()
        for m in module.modules():
            if isinstance(m, nn.Embedding):
                m.to(torch.bfloat16)
        for p in module.parameters():
            dist.broadcast(p.detach(), src=0)
        opts = module.configure_optimizers(self.rank, self.world)
        bases = [[g["lr"] for g in o.param_groups] for o in opts]
        net = torch.compile(module, dynamic=False)
        data = token_stream(os.environ["NANOGPT_TRAIN_FILES"], module.train_len, self.rank, self.world)
        t0 = time.perf_counter()
        for step in range(self.steps + 1):
            if step % self.val_every == 0 or step == self.steps:
                self.validate(net, module)
            if step == self.steps:
                break
            module.on_train_batch_start(step, self.steps, opts)
            loss = module.training_step(next(data), step, compiled=net)
            loss.backward()
            for p in module.parameters():
                dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
            mult = min((1 - step / self.steps) / self.cool, 1.0)
            for o, base in zip(opts, bases):
                for g, b in zip(o.param_groups, base):
                    g["lr"] = b * mult
                o.step()
            module.zero_grad(set_to_none=True)
            if self.rank == 0:
                print(f"step {step + 1}/{self.steps} loss {loss.item():.4f} {time.perf_counter() - t0:.0f}s")

    @torch.no_grad()
    def validate(self, net, module):
        net.eval()
        n = self.val_tokens // (self.world * module.val_len)
        it = token_stream(os.environ["NANOGPT_VAL_FILES"], module.val_len, self.rank, self.world)
        tot = sum(net(*next(it)) for _ in range(n)) / n
        dist.all_reduce(tot, op=dist.ReduceOp.AVG)
        net.train()
        if self.rank == 0:
            print(f"val_loss {tot.item():.4f}")


if __name__ == "__main__":
    ManualDPTrainer().fit(LMModule())
    dist.destroy_process_group()
