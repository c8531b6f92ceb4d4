"""Packed-sequence GPT trainer configured by an INI document.

The defaults below are parsed with configparser; a site file given by $TRAIN_INI (if any) is read
afterwards and overrides individual keys.

    TRAIN_INI=overrides.ini torchrun --nproc_per_node=8 ini_sparse_ve_trainer.py
"""
import configparser
import contextlib
import glob
import os
import sys
import time
import uuid

os.environ["PYTORCH_CUDA_ALLOC_CONF"] = "expandable_segments:True"

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.nn.attention.flex_attention import BlockMask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP

DEFAULT_INI = """
[data]
train_glob = data/fineweb10B/fineweb_train_*.bin
val_glob = data/fineweb10B/fineweb_val_*.bin
batch_tokens = 524288
device_tokens = 65536
val_tokens = 10485760
eot_id = 50256

[model]
vocab_size = 50304
num_layers = 12
num_heads = 6
model_dim = 768
num_value_tables = 3
attnless_layer = 7
rope_min_freq_inv = 1024
rope_table_len = 65536
softcap = 15.0
embeds_bf16 = true

[attention]
block_size = 128
window_start_tokens = 128
window_end_tokens = 1856

[optim]
embed_lr = 0.6
head_lr = 0.008
scalar_lr = 0.04
beta1 = 0.8
beta2 = 0.95
weight_decay = 0.0
muon_lr = 0.05
muon_momentum = 0.95
muon_momentum_init = 0.85
muon_momentum_ramp = 300
ns_steps = 5

[schedule]
num_iterations = 1390
cooldown_frac = 0.4
kind = trapezoid
floor = 0.1

[runtime]
val_every = 125
compile_stance = eager_on_recompile
stance_after_step = 5
"""

cfg = configparser.ConfigParser()
cfg.read_string(DEFAULT_INI)
if os.environ.get("TRAIN_INI"):
    cfg.read(os.environ["TRAIN_INI"])

# -----------------------------------------------------------------------------------------------
# Muon


@torch.compile
def newton_schulz(G: Tensor, steps: int) -> Tensor:
    assert G.ndim == 2
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    if G.size(0) > G.size(1):
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    if G.size(0) > G.size(1):
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum, ns_steps):
        self.rank, self.world_size = dist.get_rank(), dist.get_world_size()
        params = list(params)
        sizes = sorted({p.numel() for p in params})
        groups = [dict(params=[p for p in params if p.numel() == n],
                       update_buffer=[torch.empty(n, device="cuda", dtype=torch.bfloat16)
                                      for _ in range(self.world_size)])
                  for n in sizes]
        super().__init__(groups, dict(lr=lr, momentum=momentum, nesterov=True, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mom, bufs = group["lr"], group["momentum"], group["update_buffer"]
            params = group["params"]
            handle, pending = None, None

            def flush():
                if pending is None:
                    return
                handle.wait()
                for p_w, g_w in zip(pending, bufs):
                    p_w.add_(g_w.view_as(p_w), alpha=-lr * max(1, p_w.size(0) / p_w.size(1)) ** 0.5)

            for base in range(0, len(params), self.world_size):
                if base + self.rank < len(params):
                    p = params[base + self.rank]
                    st = self.state[p]
                    if "momentum_buffer" not in st:
                        st["momentum_buffer"] = torch.zeros_like(p.grad)
                    buf = st["momentum_buffer"]
                    buf.lerp_(p.grad, 1 - mom)
                    g = p.grad.lerp_(buf, mom)
                    g = newton_schulz(g, group["ns_steps"]).flatten()
                else:
                    g = bufs[self.rank]
                flush()
                handle = dist.all_gather(bufs, g, async_op=True)
                pending = params[base:base + self.world_size]
            flush()


# -----------------------------------------------------------------------------------------------
# model


def norm(x: Tensor) -> Tensor:
    return F.rms_norm(x, (x.size(-1),))


class CastedLinear(nn.Linear):
    def __init__(self, fan_in: int, fan_out: int):
        super().__init__(fan_in, fan_out, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


class Rotary(nn.Module):
    def __init__(self, head_dim: int, min_freq_inv: float, table_len: int):
        super().__init__()
        quarter = head_dim // 4
        freq = (1 / min_freq_inv) ** torch.linspace(0, 1, steps=quarter, dtype=torch.float32)
        freq = torch.cat([freq, freq.new_zeros(quarter)])
        theta = torch.outer(torch.arange(table_len, dtype=torch.float32), freq)
        self.register_buffer("cos", theta.cos(), persistent=False)
        self.register_buffer("sin", theta.sin(), persistent=False)

    def forward(self, x):
        T = x.size(-3)
        cos, sin = self.cos[None, :T, None, :], self.sin[None, :T, None, :]
        x1, x2 = x.float().chunk(2, dim=-1)
        return torch.cat((x1 * cos + x2 * sin, x1 * (-sin) + x2 * cos), 3).type_as(x)


class SelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int, mc):
        super().__init__()
        self.heads = heads
        self.c_q, self.c_k, self.c_v = CastedLinear(dim, dim), CastedLinear(dim, dim), CastedLinear(dim, dim)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.rotary = Rotary(dim // heads, mc.getfloat("rope_min_freq_inv"), mc.getint("rope_table_len"))
        self.c_proj = CastedLinear(dim, dim)
        self.c_proj.weight.data.zero_()

    def forward(self, x, ve, block_mask):
        B, T = x.size(0), x.size(1)
        q = self.c_q(x).view(B, T, self.heads, -1)
        k = self.c_k(x).view(B, T, self.heads, -1)
        v = self.c_v(x).view(B, T, self.heads, -1)
        v = self.lambdas[0] * v + (self.lambdas[1] * ve.view_as(v) if ve is not None else 0)
        q, k = norm(q), norm(k)
        q, k = self.rotary(q), self.rotary(k)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=block_mask)
        return self.c_proj(y.transpose(1, 2).contiguous().view_as(x))


class MLP(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.c_fc, self.c_proj = CastedLinear(dim, 4 * dim), CastedLinear(4 * dim, dim)
        self.c_proj.weight.data.zero_()

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


class Block(nn.Module):
    def __init__(self, layer: int, mc):
        super().__init__()
        dim, heads = mc.getint("model_dim"), mc.getint("num_heads")
        self.attn = None if layer == mc.getint("attnless_layer") else SelfAttention(dim, heads, mc)
        self.mlp = MLP(dim)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, ve, x0, block_mask):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        if self.attn is not None:
            x = x + self.attn(norm(x), ve, block_mask)
        return x + self.mlp(norm(x))


class ValueEmbedding(nn.Module):
    def __init__(self, vocab: int, dim: int, layers: int, tables: int):
        super().__init__()
        self.layers, self.tables = layers, tables
        self.embed = nn.ModuleList([nn.Embedding(vocab, dim) for _ in range(tables)])

    def forward(self, idx):
        ve = [e(idx) for e in self.embed]
        middle = [None] * (self.layers - 2 * self.tables)
        return ve + middle + ve


class GPT(nn.Module):
    def __init__(self, mc, ac, eot_id: int):
        super().__init__()
        L, dim, V = mc.getint("num_layers"), mc.getint("model_dim"), mc.getint("vocab_size")
        self.softcap = mc.getfloat("softcap")
        self.block_size = ac.getint("block_size")
        self.eot_id = eot_id
        self.embed = nn.Embedding(V, dim)
        self.value_embeds = ValueEmbedding(V, dim, L, mc.getint("num_value_tables"))
        self.blocks = nn.ModuleList([Block(i, mc) for i in range(L)])
        self.lm_head = CastedLinear(dim, V)
        self.lm_head.weight.data.zero_()
        self.n_enc = L // 2
        self.n_dec = L - self.n_enc
        self.skip_weights = nn.Parameter(torch.ones(self.n_dec))

    def block_mask(self, idx: Tensor, window_blocks: Tensor) -> BlockMask:
        BS = self.block_size
        nblk = len(idx) // BS
        docs = (idx == self.eot_id).cumsum(0)
        lo = docs.view(-1, BS)[:, 0].contiguous()
        hi = docs.view(-1, BS)[:, -1].contiguous()

        def doc_causal(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])

        def ordered(dense):
            n = dense.sum(dim=-1, dtype=torch.int32)
            ind = dense.argsort(dim=-1, descending=True, stable=True).to(torch.int32)
            return n[None, None].contiguous(), ind[None, None].contiguous()

        blk = torch.arange(nblk, dtype=torch.int32, device="cuda")
        q_b, kv_b = blk[:, None], blk
        in_window = q_b - kv_b < window_blocks
        touching = (lo[:, None] <= hi) & (lo <= hi[:, None])
        single_doc = (lo[:, None] == hi) & (lo == hi[:, None])
        any_visible = (q_b >= kv_b) & in_window & touching
        all_visible = (q_b > kv_b) & in_window & single_doc
        kv_n, kv_i = ordered(any_visible & ~all_visible)
        full_n, full_i = ordered(all_visible)
        return BlockMask.from_kv_blocks(kv_n, kv_i, full_n, full_i, BLOCK_SIZE=BS, mask_mod=doc_causal)

    def forward(self, idx, targets, window_blocks):
        assert idx.ndim == 1
        bm = self.block_mask(idx, window_blocks)
        x = x0 = norm(self.embed(idx[None]).bfloat16())
        ve = self.value_embeds(idx)
        skips = []
        for i in range(self.n_enc):
            x = self.blocks[i](x, ve[i], x0, bm)
            skips.append(x)
        for i in range(self.n_dec):
            x = x + self.skip_weights[i] * skips.pop()
            x = self.blocks[self.n_enc + i](x, ve[self.n_enc + i], x0, bm)
        logits = self.lm_head(norm(x))
        logits = self.softcap * torch.tanh(logits / self.softcap)
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets)


# -----------------------------------------------------------------------------------------------
# data


def load_tokens(path: str) -> Tensor:
    header = torch.from_file(path, False, 256, dtype=torch.int32)
    assert int(header[0]) == 20240520
    n = int(header[2])
    with open(path, "rb", buffering=0) as f:
        toks = torch.empty(n, dtype=torch.uint16, pin_memory=True)
        f.seek(256 * 4)
        assert f.readinto(toks.numpy()) == 2 * n
    return toks


class TokenStream:
    def __init__(self, pattern: str):
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        self.files = sorted(glob.glob(pattern))
        self.reset()

    def reset(self):
        self.shard = -1
        self._next_shard()

    def _next_shard(self):
        self.shard = (self.shard + 1) % len(self.files)
        self.tokens, self.pos = load_tokens(self.files[self.shard]), 0

    def next_batch(self, batch_tokens: int):
        per = batch_tokens // self.world
        if self.pos + batch_tokens + 1 >= len(self.tokens):
            self._next_shard()
        buf = self.tokens[self.pos + self.rank * per:][:per + 1]
        self.pos += batch_tokens
        return (buf[:-1].to("cuda", dtype=torch.int32, non_blocking=True),
                buf[1:].to("cuda", dtype=torch.int64, non_blocking=True))


# -----------------------------------------------------------------------------------------------
# main


def lr_factor(step: int, sc) -> float:
    t = 1 - step / sc.getint("num_iterations")
    w = min(t / sc.getfloat("cooldown_frac"), 1.0)
    if sc.get("kind") == "trapezoid_floor":
        floor = sc.getfloat("floor")
        return w * 1.0 + (1 - w) * floor
    return w


def window_blocks_at(step: int, total: int, ac) -> int:
    frac = step / total
    toks = (1 - frac) * ac.getint("window_start_tokens") + frac * ac.getint("window_end_tokens")
    return int(toks // ac.getint("block_size"))


def main():
    dc, mc, ac, oc, sc, rc = (cfg[s] for s in ("data", "model", "attention", "optim", "schedule", "runtime"))
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    dist.init_process_group("nccl", device_id=torch.device(local_rank))
    master = dist.get_rank() == 0

    model = GPT(mc, ac, dc.getint("eot_id")).cuda()
    if mc.getboolean("embeds_bf16"):
        for m in model.modules():
            if isinstance(m, nn.Embedding):
                m.bfloat16()
    model = torch.compile(model)
    ddp = DDP(model, device_ids=[local_rank], broadcast_buffers=False, gradient_as_bucket_view=True)

    matrices = [p for p in model.blocks.parameters() if p.ndim == 2]
    embeds = [model.embed.weight, *model.value_embeds.parameters()]
    scalars = [p for p in model.parameters() if p.ndim < 2]
    adam = torch.optim.Adam([dict(params=embeds, lr=oc.getfloat("embed_lr")),
                             dict(params=[model.lm_head.weight], lr=oc.getfloat("head_lr")),
                             dict(params=scalars, lr=oc.getfloat("scalar_lr"))],
                            betas=(oc.getfloat("beta1"), oc.getfloat("beta2")),
                            weight_decay=oc.getfloat("weight_decay"), fused=True)
    muon = Muon(matrices, lr=oc.getfloat("muon_lr"), momentum=oc.getfloat("muon_momentum"),
                ns_steps=oc.getint("ns_steps"))
    optimizers = [adam, muon]
    steps = sc.getint("num_iterations")
    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, lambda s: lr_factor(s, sc)) for o in optimizers]

    train = TokenStream(dc.get("train_glob"))
    val = TokenStream(dc.get("val_glob"))
    batch_tokens = dc.getint("batch_tokens")
    assert batch_tokens // dist.get_world_size() == dc.getint("device_tokens")

    window = torch.tensor(1, dtype=torch.int32, device="cuda")
    last_window = None
    ramp = oc.getint("muon_momentum_ramp")
    m0, m1 = oc.getfloat("muon_momentum_init"), oc.getfloat("muon_momentum")
    run = uuid.uuid4()
    t0 = time.perf_counter()
    for step in range(steps + 1):
        wb = window_blocks_at(step, steps, ac)
        if wb != last_window:
            window.copy_(torch.tensor(wb, dtype=torch.int32), non_blocking=True)
            last_window = wb

        if step == steps or step % rc.getint("val_every") == 0:
            model.eval()
            val.reset()
            vb = dist.get_world_size() * dc.getint("device_tokens")
            n_val = dc.getint("val_tokens") // vb
            loss_sum = torch.zeros((), device="cuda")
            with torch.no_grad():
                for _ in range(n_val):
                    vx, vy = val.next_batch(vb)
                    loss_sum += ddp(vx, vy, window)
            dist.all_reduce(loss_sum, op=dist.ReduceOp.AVG)
            if master:
                print(f"[{run}] step {step}/{steps} val {loss_sum.item() / n_val:.4f} "
                      f"{time.perf_counter() - t0:.1f}s", file=sys.stderr)
            model.train()
        if step == steps:
            break

        x, y = train.next_batch(batch_tokens)
        with contextlib.ExitStack() as stack:
            if step >= rc.getint("stance_after_step"):
                stack.enter_context(torch.compiler.set_stance(rc.get("compile_stance")))
            ddp(x, y, window).backward()

        frac = min(step / ramp, 1)
        for g in muon.param_groups:
            g["momentum"] = (1 - frac) * m0 + frac * m1
        for o, s in zip(optimizers, schedulers):
            o.step()
            s.step()
        model.zero_grad(set_to_none=True)

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
