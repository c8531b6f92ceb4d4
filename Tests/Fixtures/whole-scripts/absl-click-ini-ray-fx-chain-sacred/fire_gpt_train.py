"""GPT speed-training entry point driven by python-fire.

    torchrun --nproc_per_node=8 fire_gpt_train.py --num_steps=3200 --val_every=125

Any keyword of `train` can be overridden on the command line; the builder functions below
carry their own keyword defaults, which `train` forwards only when asked to.
"""
import glob
import os
import time
import uuid

import fire
import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.backends.cuda import enable_cudnn_sdp, enable_flash_sdp, enable_math_sdp, enable_mem_efficient_sdp
from torch.nn.parallel import DistributedDataParallel as DDP

# ------------------------------------------------------------------------------------------------
# orthogonalized momentum


@torch.compile
def orthogonalize(G, steps: int = 5, eps: float = 1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X /= X.norm() + eps
    flip = G.size(0) > G.size(1)
    if flip:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    if flip:
        X = X.T
    return X


class ShardedMuon(torch.optim.Optimizer):
    """Nesterov momentum -> Newton-Schulz orthogonalization, work split round-robin over ranks."""

    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, ns_steps=5, rank=0, world_size=1):
        self.rank, self.world_size = rank, world_size
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group["params"]
            flat = torch.zeros(sum(p.numel() for p in params), device="cuda", dtype=torch.bfloat16)
            offset = 0
            for i, p in enumerate(params):
                if i % self.world_size == self.rank:
                    g = p.grad
                    st = self.state[p]
                    if "momentum_buffer" not in st:
                        st["momentum_buffer"] = torch.zeros_like(g)
                    buf = st["momentum_buffer"]
                    buf.mul_(group["momentum"]).add_(g)
                    if group["nesterov"]:
                        g = g.add(buf, alpha=group["momentum"])
                    g = orthogonalize(g, steps=group["ns_steps"])
                    g *= max(1, g.size(0) / g.size(1)) ** 0.5
                    flat[offset:offset + p.numel()] = g.flatten()
                offset += p.numel()
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            offset = 0
            for p in params:
                upd = flat[offset:offset + p.numel()].view_as(p).type_as(p)
                p.add_(upd, alpha=-group["lr"])
                offset += p.numel()


# ------------------------------------------------------------------------------------------------
# model


class CastedLinear(nn.Linear):
    def __init__(self, fan_in, fan_out):
        super().__init__(fan_in, fan_out, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class Rotary(nn.Module):
    def __init__(self, dim, base=10000):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim)), persistent=False)
        self.T = None

    def forward(self, x):
        T = x.shape[1]
        if T != self.T:
            self.T = T
            freqs = torch.outer(torch.arange(T, device=x.device).type_as(self.inv_freq), self.inv_freq)
            self.cos, self.sin = freqs.cos().bfloat16(), freqs.sin().bfloat16()
        return self.cos[None, :, None, :], self.sin[None, :, None, :]


def rope(x, cos, sin):
    h = x.shape[3] // 2
    x1, x2 = x[..., :h], x[..., h:]
    return torch.cat([x1 * cos + x2 * sin, -x1 * sin + x2 * cos], 3).type_as(x)


def rmsnorm(x):
    return F.rms_norm(x, (x.size(-1),))


class Attention(nn.Module):
    def __init__(self, dim, n_head, lamb_init):
        super().__init__()
        self.n_head, self.hd = n_head, dim // n_head
        self.c_q = CastedLinear(dim, dim)
        self.c_k = CastedLinear(dim, dim)
        self.c_v = CastedLinear(dim, dim)
        self.c_proj = CastedLinear(dim, dim)
        self.c_proj.weight.data.zero_()
        self.rotary = Rotary(self.hd)
        self.lamb = nn.Parameter(torch.tensor(lamb_init))

    def forward(self, x, v_first):
        B, T, C = x.shape
        q = self.c_q(x).view(B, T, self.n_head, self.hd)
        k = self.c_k(x).view(B, T, self.n_head, self.hd)
        v = self.c_v(x).view(B, T, self.n_head, self.hd)
        if v_first is None:
            v_first = v
        v = (1 - self.lamb) * v + self.lamb * v_first.view_as(v)
        cos, sin = self.rotary(q)
        q, k = rmsnorm(q), rmsnorm(k)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view_as(x)), v_first


class MLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.c_fc = CastedLinear(dim, 4 * dim)
        self.c_proj = CastedLinear(4 * dim, dim)
        self.c_proj.weight.data.zero_()

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


class Block(nn.Module):
    def __init__(self, dim, n_head, lamb_init):
        super().__init__()
        self.attn = Attention(dim, n_head, lamb_init)
        self.mlp = MLP(dim)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, v_first, x0):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        a, v_first = self.attn(rmsnorm(x), v_first)
        x = x + a
        x = x + self.mlp(rmsnorm(x))
        return x, v_first


class GPT(nn.Module):
    def __init__(self, vocab_size, n_layer, n_head, dim, softcap, lamb_init):
        super().__init__()
        self.softcap = softcap
        self.wte = nn.Embedding(vocab_size, dim)
        self.blocks = nn.ModuleList([Block(dim, n_head, lamb_init) for _ in range(n_layer)])
        self.lm_head = CastedLinear(dim, vocab_size)
        self.lm_head.weight.data.zero_()

    def forward(self, idx, targets):
        x = rmsnorm(self.wte(idx))
        x0, v_first = x, None
        for blk in self.blocks:
            x, v_first = blk(x, v_first, x0)
        logits = self.lm_head(rmsnorm(x))
        logits = self.softcap * torch.tanh(logits / self.softcap)
        logits = logits.float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ------------------------------------------------------------------------------------------------
# builders (each has its own defaults; fire exposes only `train`)


def build_model(vocab_size=50304, n_layer=12, n_head=6, dim=768, softcap=30.0, lamb_init=0.5):
    model = GPT(vocab_size, n_layer, n_head, dim, softcap, lamb_init).cuda().bfloat16()
    for m in model.modules():
        if isinstance(m, CastedLinear):
            m.float()
    return model


def build_optimizers(model, rank, world_size, lr_embed=0.3, lr_head=0.002, lr_muon=0.02, lr_scalar=0.02,
                     betas=(0.85, 0.95), weight_decay=0.0, muon_momentum=0.95):
    block_params = list(model.blocks.parameters())
    matrices = [p for p in block_params if p.ndim == 2]
    scalars = [p for p in block_params if p.ndim < 2]
    adam_embed = torch.optim.Adam([model.wte.weight], lr=lr_embed, betas=betas, weight_decay=weight_decay, fused=True)
    adam_head = torch.optim.Adam([model.lm_head.weight], lr=lr_head, betas=betas, weight_decay=weight_decay, fused=True)
    adam_scalar = torch.optim.Adam(scalars, lr=lr_scalar, betas=betas, weight_decay=weight_decay, fused=True)
    muon = ShardedMuon(matrices, lr=lr_muon, momentum=muon_momentum, rank=rank, world_size=world_size)
    return [adam_embed, adam_head, adam_scalar, muon]


def lr_lambda(step, num_steps, warmup_steps=0, warmdown_steps=914):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if step < num_steps - warmdown_steps:
        return 1.0
    return (num_steps - step) / warmdown_steps


def muon_momentum_at(step, start=0.85, end=0.95, ramp_steps=500):
    frac = min(step / ramp_steps, 1.0)
    return (1 - frac) * start + frac * end


# ------------------------------------------------------------------------------------------------
# data


def _shard(path):
    with open(path, "rb") as f:
        hdr = np.frombuffer(f.read(256 * 4), dtype=np.int32)
        assert hdr[0] == 20240520
        return np.frombuffer(f.read(), dtype=np.uint16)


def batches(pattern, B, T, rank, world):
    files = sorted(glob.glob(pattern))
    fi, toks = 0, _shard(files[0])
    pos = rank * B * T
    while True:
        if pos + B * T + 1 > len(toks):
            fi = (fi + 1) % len(files)
            toks, pos = _shard(files[fi]), rank * B * T
        buf = torch.from_numpy(toks[pos:pos + B * T + 1].astype(np.int64))
        pos += B * T * world
        yield buf[:-1].view(B, T).cuda(), buf[1:].view(B, T).cuda()


# ------------------------------------------------------------------------------------------------
# entry point


def train(train_glob="data/fineweb10B/fineweb_train_*.bin", val_glob="data/fineweb10B/fineweb_val_*.bin",
          num_steps=3200, batch_size=8 * 64, device_batch_size=64, seq_len=1024, val_every=125,
          val_tokens=10485760, grad_clip=1.0, compile=True, **model_overrides):
    dist.init_process_group("nccl")
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)
    master = rank == 0

    enable_cudnn_sdp(True)
    enable_flash_sdp(False)
    enable_mem_efficient_sdp(False)
    enable_math_sdp(False)

    accum = batch_size // (device_batch_size * world)
    val_steps = val_tokens // (device_batch_size * seq_len * world)

    raw = build_model(**model_overrides)
    model = DDP(torch.compile(raw) if compile else raw, device_ids=[local])
    optimizers = build_optimizers(raw, rank, world)
    muon = optimizers[-1]
    adam_params = [p for o in optimizers[:-1] for g in o.param_groups for p in g["params"]]
    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, lambda s: lr_lambda(s, num_steps)) for o in optimizers]

    train_iter = batches(train_glob, device_batch_size, seq_len, rank, world)
    run_id = uuid.uuid4()
    x, y = next(train_iter)
    t0 = time.time()
    for step in range(num_steps + 1):
        last = step == num_steps
        if last or step % val_every == 0:
            model.eval()
            vit = batches(val_glob, device_batch_size, seq_len, rank, world)
            vloss = torch.zeros((), device="cuda")
            with torch.no_grad():
                for _ in range(val_steps):
                    vx, vy = next(vit)
                    vloss += model(vx, vy)
            dist.all_reduce(vloss, op=dist.ReduceOp.AVG)
            if master:
                print(f"[{run_id}] step {step}/{num_steps} val_loss {vloss.item() / val_steps:.4f} "
                      f"elapsed {time.time() - t0:.0f}s")
            model.train()
        if last:
            break

        for i in range(accum):
            loss = model(x, y)
            x, y = next(train_iter)
            if i < accum - 1:
                with model.no_sync():
                    loss.backward()
            else:
                loss.backward()
        for p in model.parameters():
            p.grad /= accum
        if grad_clip:
            torch.nn.utils.clip_grad_norm_(adam_params, grad_clip)
        for g in muon.param_groups:
            g["momentum"] = muon_momentum_at(step)
        for o, s in zip(optimizers, schedulers):
            o.step()
            s.step()
        model.zero_grad(set_to_none=True)
        if master and step % 25 == 0:
            print(f"step {step + 1} loss {loss.item():.4f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    fire.Fire(train)
