# ---------------------------------------------------------------------------------
# gpt_unet_ve.py : 124M speedrun variant used for ablations on our 8xH100 box.
# hourglass skips + per-layer value tables + overlapped Muon communication.
# ---------------------------------------------------------------------------------
import os
import sys
import glob
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

N_LAYER, D_MODEL, N_HEAD, VOCAB = 12, 768, 12, 50257
B_LOCAL, T_LOCAL = 32, 1024
ITERS = 3200

# attention backend: flash only (cuDNN path was flaky on our driver)
torch.backends.cuda.enable_flash_sdp(True)
torch.backends.cuda.enable_cudnn_sdp(False)
torch.backends.cuda.enable_mem_efficient_sdp(False)
torch.backends.cuda.enable_math_sdp(False)


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


class Linear32(nn.Linear):
    """fp32 master weight, computed in whatever dtype the activations are in."""

    def __init__(self, fan_in, fan_out):
        super().__init__(fan_in, fan_out, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(dtype=x.dtype))


def rope_tables(hd, n, base=10000):
    inv = 1.0 / (base ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    fr = torch.arange(n, dtype=torch.float32)[:, None] * inv
    return fr.cos(), fr.sin()


def rope(x, cos, sin):
    d = x.size(-1) // 2
    xa, xb = x[..., :d], x[..., d:]
    cos, sin = cos[None, :x.size(1), None].type_as(x), sin[None, :x.size(1), None].type_as(x)
    return torch.cat((xa * cos + xb * sin, -xa * sin + xb * cos), -1)


class Attn(nn.Module):
    def __init__(self):
        super().__init__()
        self.hd = D_MODEL // N_HEAD
        self.wq, self.wk, self.wv = (Linear32(D_MODEL, D_MODEL) for _ in range(3))
        self.wo = Linear32(D_MODEL, D_MODEL)
        self.mix = nn.Parameter(torch.tensor(0.5))  # weight of the token value table
        cos, sin = rope_tables(self.hd, T_LOCAL)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def forward(self, x, ve):
        B, T, _ = x.shape
        q = self.wq(x).view(B, T, N_HEAD, self.hd)
        k = self.wk(x).view(B, T, N_HEAD, self.hd)
        v = self.wv(x).view(B, T, N_HEAD, self.hd)
        v = (1 - self.mix) * v + self.mix * ve.view_as(v)
        q, k = rope(q, self.cos, self.sin), rope(k, self.cos, self.sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, D_MODEL))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = Attn()
        self.up, self.down = Linear32(D_MODEL, 4 * D_MODEL), Linear32(4 * D_MODEL, D_MODEL)
        self.x0_gate = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0, ve):
        x = self.x0_gate[0] * x + self.x0_gate[1] * x0
        x = x + self.attn(rms(x), ve)
        return x + self.down(F.gelu(self.up(rms(x))))


class HourglassGPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, D_MODEL)
        self.value_table = nn.Embedding(VOCAB, N_LAYER * D_MODEL)  # one slice per layer
        self.blocks = nn.ModuleList(Block() for _ in range(N_LAYER))
        self.half = N_LAYER // 2
        self.skip_gain = nn.Parameter(torch.ones(self.half))
        self.lm_head = Linear32(D_MODEL, VOCAB)
        self.lm_head.weight = self.wte.weight

    def forward(self, idx, tgt):
        x0 = rms(self.wte(idx))
        per_layer_v = self.value_table(idx).chunk(N_LAYER, dim=-1)
        x, stack = x0, []
        for i in range(self.half):
            x = self.blocks[i](x, x0, per_layer_v[i])
            stack.append(x)
        for j in range(self.half):
            i = self.half + j
            x = x + self.skip_gain[j] * stack.pop()
            x = self.blocks[i](x, x0, per_layer_v[i])
        logits = self.lm_head(rms(x))
        logits = 30 * torch.tanh(logits / 30)
        return F.cross_entropy(logits.flatten(0, 1), tgt.flatten())


def ns_orth(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    T = X.size(0) > X.size(1)
    if T:
        X = X.T
    X /= X.norm() + 1e-7
    for _ in range(steps):
        G2 = X @ X.T
        X = a * X + b * (G2 @ X) + c * (G2 @ (G2 @ X))
    return X.T if T else X


class OverlapMuon(torch.optim.Optimizer):
    """Params bucketed by numel; one orthogonalisation per rank per round, gathered
    asynchronously while the next round's Newton-Schulz runs."""

    def __init__(self, params, lr=0.02, momentum=0.95, rank=0, world=1):
        self.rank, self.world = rank, world
        params = list(params)
        buckets = []
        for numel in sorted({p.numel() for p in params}):
            bufs = torch.empty(world, numel, dtype=torch.bfloat16, device="cuda")
            buckets.append(dict(params=[p for p in params if p.numel() == numel],
                                slots=list(bufs.unbind(0))))
        super().__init__(buckets, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            ps, slots = grp["params"], grp["slots"]
            pending = None

            def apply_pending():
                handle, base = pending
                handle.wait()
                for p, s in zip(ps[base:base + self.world], slots):
                    p.add_(s.view_as(p).type_as(p), alpha=-grp["lr"])

            for base in range(0, len(ps), self.world):
                mine = base + self.rank
                if mine < len(ps):
                    p = ps[mine]
                    m = self.state[p].setdefault("m", torch.zeros_like(p.grad))
                    m.lerp_(p.grad, 1 - grp["momentum"])
                    g = p.grad.lerp(m, grp["momentum"])
                    upd = ns_orth(g).flatten()
                else:
                    upd = slots[self.rank]
                if pending is not None:
                    apply_pending()
                h = dist.all_gather(slots, upd, async_op=True)
                pending = (h, base)
            if pending is not None:
                apply_pending()


class PinnedShardReader:
    def __init__(self, pattern, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.rank, self.world = rank, world
        self.n = B_LOCAL * T_LOCAL
        self.fi = 0
        self._open(0)

    def _open(self, fi):
        path = Path(self.files[fi % len(self.files)])
        header = torch.from_file(str(path), size=256, dtype=torch.int32)
        ntok = int(header[2])
        self.buf = torch.empty(ntok, dtype=torch.uint16, pin_memory=True)
        with path.open("rb", buffering=0) as f:
            f.seek(256 * 4)
            f.readinto(self.buf.numpy())
        self.pos = self.rank * self.n

    def next(self):
        if self.pos + self.world * self.n + 1 > self.buf.numel():
            self.fi += 1
            self._open(self.fi)
        chunk = self.buf[self.pos:self.pos + self.n + 1]
        self.pos += self.world * self.n
        x = chunk[:-1].to("cuda", dtype=torch.int32, non_blocking=True).view(B_LOCAL, T_LOCAL)
        y = chunk[1:].to("cuda", dtype=torch.int64, non_blocking=True).view(B_LOCAL, T_LOCAL)
        return x, y


def lr_mult(step, warm=50):
    return (step + 1) / warm if step < warm else 1.0 - (step - warm) / (ITERS - warm)


if __name__ == "__main__":
    dist.init_process_group(backend="nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)

    net = HourglassGPT().cuda().bfloat16()
    for m in net.modules():
        if isinstance(m, Linear32):
            m.float()
    model = DDP(torch.compile(net), device_ids=[local], broadcast_buffers=False, gradient_as_bucket_view=True)

    hidden = [p for p in net.blocks.parameters() if p.ndim == 2]
    small = [p for p in net.blocks.parameters() if p.ndim < 2] + [net.skip_gain]
    adam = torch.optim.Adam([
        dict(params=[net.wte.weight, net.value_table.weight], lr=0.3),
        dict(params=small, lr=0.02),
    ], betas=(0.9, 0.95), eps=1e-8)
    muon = OverlapMuon(hidden, lr=0.03, rank=rank, world=world)
    opts = [adam, muon]
    for o in opts:
        for g in o.param_groups:
            g["lr0"] = g["lr"]

    reader = PinnedShardReader("data/fineweb10B/fineweb_train_*.bin", rank, world)
    x, y = reader.next()
    t0 = time.perf_counter()
    for step in range(ITERS):
        loss = model(x, y)
        x, y = reader.next()
        loss.backward()
        for o in opts:
            for g in o.param_groups:
                g["lr"] = g["lr0"] * lr_mult(step)
            o.step()
        model.zero_grad(set_to_none=True)
        if rank == 0:
            print(f"{step:5d} train_loss {loss.item():.4f} {(time.perf_counter() - t0) * 1000 / (step + 1):.0f}ms/step")
    dist.destroy_process_group()
