"""GPT trainer whose numerics live in TorchScript.

Optimizer math, schedules and the transformer blocks are written as type-annotated code that is
compiled with torch.jit.script, so the same kernels can be exported to the C++ trainer.
"""
import glob
import os
import time
from typing import List, NamedTuple, Optional, Tuple

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.nn.parallel import DistributedDataParallel as DDP


class Hparams(NamedTuple):
    vocab_size: int = 50304
    n_layer: int = 12
    n_head: int = 6
    d_model: int = 768
    logit_cap: float = 30.0
    rope_base: float = 10000.0
    device_batch: int = 64
    seq_len: int = 1024
    global_batch: int = 512
    num_steps: int = 3000
    cooldown_steps: int = 900
    lr_embed: float = 0.6
    lr_head: float = 0.008
    lr_scalar: float = 0.04
    lr_muon: float = 0.04
    muon_momentum: float = 0.95
    muon_ramp_steps: int = 300
    adam_b1: float = 0.9
    adam_b2: float = 0.95
    weight_decay: float = 0.0
    ns_steps: int = 5
    eval_window: int = 1024
    eval_seq_len: int = 4096


HP = Hparams()

# ----------------------------------------------------------------------------------------------
# scripted numerics


@torch.jit.script
def newton_schulz5(G: Tensor, steps: int, eps: float = 1e-7) -> Tensor:
    a: float = 3.4445
    b: float = -4.7750
    c: float = 2.0315
    X = G.to(torch.bfloat16)
    X = X / (X.norm() + eps)
    tall: bool = G.size(0) > G.size(1)
    if tall:
        X = X.t()
    for _ in range(steps):
        A = X @ X.t()
        B = b * A + c * (A @ A)
        X = a * X + B @ X
    if tall:
        X = X.t()
    return X


@torch.jit.script
def muon_direction(grad: Tensor, buf: Tensor, momentum: float, ns_steps: int) -> Tensor:
    buf.mul_(momentum).add_(grad)
    g = grad.add(buf, alpha=momentum)
    u = newton_schulz5(g, ns_steps)
    scale: float = max(1.0, float(g.size(0)) / float(g.size(1))) ** 0.5
    return u * scale


@torch.jit.script
def trapezoid(step: int, total: int, cooldown: int) -> float:
    if step < total - cooldown:
        return 1.0
    return float(total - step) / float(cooldown)


@torch.jit.script
def linear_ramp(step: int, ramp_steps: int) -> float:
    if ramp_steps <= 0:
        return 1.0
    return min(float(step) / float(ramp_steps), 1.0)


@torch.jit.script
def softcap(logits: Tensor, cap: float) -> Tensor:
    return cap * torch.tanh(logits / cap)


@torch.jit.script
def rms(x: Tensor) -> Tensor:
    return F.rms_norm(x, [x.size(-1)])


@torch.jit.script
def rotate_half_pairs(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    d = x.size(3) // 2
    x1 = x[..., :d]
    x2 = x[..., d:]
    return torch.cat([x1 * cos + x2 * sin, x1 * (-sin) + x2 * cos], 3).type_as(x)


# ----------------------------------------------------------------------------------------------
# optimizer


class ScriptedMuon(torch.optim.Optimizer):
    def __init__(self, params, lr: float, momentum: float, ns_steps: int):
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if "buf" not in st:
                    st["buf"] = torch.zeros_like(p.grad)
                upd = muon_direction(p.grad, st["buf"], group["momentum"], group["ns_steps"])
                p.add_(upd.type_as(p), alpha=-group["lr"])


# ----------------------------------------------------------------------------------------------
# model (scriptable modules)


class CastedLinear(nn.Linear):
    def __init__(self, fan_in: int, fan_out: int):
        super().__init__(fan_in, fan_out, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight.to(x.dtype))


class Rotary(nn.Module):
    def __init__(self, dim: int, base: float):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim)))

    def forward(self, T: int) -> Tuple[Tensor, Tensor]:
        t = torch.arange(T, device=self.inv_freq.device).type_as(self.inv_freq)
        freqs = torch.outer(t, self.inv_freq)
        return freqs.cos().bfloat16()[None, :, None, :], freqs.sin().bfloat16()[None, :, None, :]


class Attention(nn.Module):
    def __init__(self, d: int, h: int, base: float):
        super().__init__()
        self.h = h
        self.hd = d // h
        self.c_q = CastedLinear(d, d)
        self.c_k = CastedLinear(d, d)
        self.c_v = CastedLinear(d, d)
        self.c_proj = CastedLinear(d, d)
        self.c_proj.weight.data.zero_()
        self.rotary = Rotary(self.hd, base)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x: Tensor, v1: Optional[Tensor], mask: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
        B, T, C = x.size(0), x.size(1), x.size(2)
        q = self.c_q(x).view(B, T, self.h, self.hd)
        k = self.c_k(x).view(B, T, self.h, self.hd)
        v = self.c_v(x).view(B, T, self.h, self.hd)
        if v1 is None:
            v1 = v
        v = (1 - self.lamb) * v + self.lamb * v1.view_as(v)
        cos, sin = self.rotary(T)
        q, k = rms(q), rms(k)
        q, k = rotate_half_pairs(q, cos, sin), rotate_half_pairs(k, cos, sin)
        if mask is None:
            y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        else:
            y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), attn_mask=mask)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y), v1


class MLP(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.c_fc = CastedLinear(d, 4 * d)
        self.c_proj = CastedLinear(4 * d, d)
        self.c_proj.weight.data.zero_()

    def forward(self, x: Tensor) -> Tensor:
        return self.c_proj(F.relu(self.c_fc(x)).square())


class Block(nn.Module):
    def __init__(self, d: int, h: int, base: float):
        super().__init__()
        self.attn = Attention(d, h, base)
        self.mlp = MLP(d)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x: Tensor, v1: Optional[Tensor], x0: Tensor, mask: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        a, v1_out = self.attn(rms(x), v1, mask)
        x = x + a
        x = x + self.mlp(rms(x))
        return x, v1_out


class GPT(nn.Module):
    def __init__(self, hp: Hparams):
        super().__init__()
        self.cap = hp.logit_cap
        self.n_enc = hp.n_layer // 2
        self.n_dec = hp.n_layer - self.n_enc
        self.wte = nn.Embedding(hp.vocab_size, hp.d_model)
        self.blocks = nn.ModuleList([Block(hp.d_model, hp.n_head, hp.rope_base) for _ in range(hp.n_layer)])
        self.skip_weights = nn.Parameter(torch.ones(self.n_dec))
        self.lm_head = CastedLinear(hp.d_model, hp.vocab_size)
        self.lm_head.weight.data.zero_()

    def forward(self, idx: Tensor, targets: Tensor, mask: Optional[Tensor] = None) -> Tensor:
        x = rms(self.wte(idx))
        x0 = x
        v1: Optional[Tensor] = None
        skips: List[Tensor] = []
        for i, blk in enumerate(self.blocks):
            if i >= self.n_enc:
                x = x + self.skip_weights[i - self.n_enc] * skips.pop()
            x, v1 = blk(x, v1, x0, mask)
            if i < self.n_enc:
                skips.append(x)
        logits = softcap(self.lm_head(rms(x)), self.cap).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


@torch.jit.script
def local_causal_mask(T: int, window: int, device: torch.device) -> Tensor:
    i = torch.arange(T, device=device)
    diff = i[:, None] - i[None, :]
    return (diff >= 0) & (diff < window)


# ----------------------------------------------------------------------------------------------
# data + loop


def load(path: str) -> np.ndarray:
    with open(path, "rb") as f:
        h = np.frombuffer(f.read(1024), dtype=np.int32)
        assert h[0] == 20240520
        return np.frombuffer(f.read(), dtype=np.uint16)


def stream(pattern: str, B: int, T: int, rank: int, world: int):
    files = sorted(glob.glob(pattern))
    k, toks, pos = 0, load(files[0]), rank * B * T
    while True:
        if pos + B * T + 1 > len(toks):
            k = (k + 1) % len(files)
            toks, pos = load(files[k]), rank * B * T
        b = torch.from_numpy(toks[pos:pos + B * T + 1].astype(np.int64))
        pos += B * T * world
        yield b[:-1].view(B, T).cuda(), b[1:].view(B, T).cuda()


def evaluate_long_context(model, hp: Hparams, rank: int, world: int, batches: int = 10) -> float:
    """Held-out loss on longer windows with local attention (reporting only)."""
    mask = local_causal_mask(hp.eval_seq_len, hp.eval_window, torch.device("cuda"))
    it = stream("data/fineweb10B/fineweb_val_*.bin", 4, hp.eval_seq_len, rank, world)
    tot = torch.zeros((), device="cuda")
    with torch.no_grad():
        for _ in range(batches):
            x, y = next(it)
            tot += model(x, y, mask)
    dist.all_reduce(tot, op=dist.ReduceOp.AVG)
    return tot.item() / batches


def main(hp: Hparams = HP):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))

    raw = GPT(hp).cuda().bfloat16()
    for m in raw.modules():
        if isinstance(m, CastedLinear):
            m.float()
    scripted = torch.jit.script(raw)
    model = DDP(scripted, device_ids=[int(os.environ["LOCAL_RANK"])])

    blk_params = list(raw.blocks.parameters())
    kw = dict(betas=(hp.adam_b1, hp.adam_b2), weight_decay=hp.weight_decay, fused=True)
    adam = torch.optim.Adam([dict(params=[raw.wte.weight], lr=hp.lr_embed),
                             dict(params=[raw.lm_head.weight], lr=hp.lr_head),
                             dict(params=[p for p in blk_params if p.ndim < 2] + [raw.skip_weights], lr=hp.lr_scalar)],
                            **kw)
    muon = ScriptedMuon([p for p in blk_params if p.ndim == 2], lr=hp.lr_muon,
                        momentum=hp.muon_momentum, ns_steps=hp.ns_steps)
    for o in (adam, muon):
        for g in o.param_groups:
            g["base_lr"] = g["lr"]

    accum = hp.global_batch // (hp.device_batch * world)
    train_it = stream("data/fineweb10B/fineweb_train_*.bin", hp.device_batch, hp.seq_len, rank, world)
    t0 = time.time()
    for step in range(hp.num_steps):
        for i in range(accum):
            x, y = next(train_it)
            loss = model(x, y) / accum
            if i < accum - 1:
                with model.no_sync():
                    loss.backward()
            else:
                loss.backward()
        f = trapezoid(step, hp.num_steps, hp.cooldown_steps)
        for g in adam.param_groups:
            g["lr"] = g["base_lr"] * f
        for g in muon.param_groups:
            # ramp the orthogonalized step size in gently while the momentum buffer fills
            g["lr"] = g["base_lr"] * f * linear_ramp(step, hp.muon_ramp_steps)
        adam.step()
        muon.step()
        model.zero_grad(set_to_none=True)
        if rank == 0 and step % 100 == 0:
            print(f"step {step} loss {loss.item() * accum:.4f} t={time.time() - t0:.0f}s")
        if step > 0 and step % 500 == 0:
            vl = evaluate_long_context(scripted, hp, rank, world)
            if rank == 0:
                print(f"step {step} long-context val {vl:.4f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
