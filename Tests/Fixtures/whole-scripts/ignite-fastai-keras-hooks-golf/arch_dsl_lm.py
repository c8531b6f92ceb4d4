"""
arch_dsl_lm.py -- architecture sweeps driven by a one-line spec string.

The model is described by ``--arch`` (or $ARCH), a '|'-separated list of
sections, each ``kind:opt,opt,...`` where an opt is ``flag`` or ``key=value``:

    emb:plain
    attn:rope=half@1024,qknorm,scale=0.12,win=1024:LSSSLS
    mlp:relu2
    drop:L7.attn
    head:untied,zero,softcap=15
    ve:3                       (optional: value-embedding tables)

``win=W:PATTERN`` gives every encoder layer a window of W (L) or W//2 (S)
according to PATTERN; decoder layers use the reversed pattern.
"""
import argparse
import dataclasses
import glob
import math
import os
import re
import time
from typing import Optional

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP

DEFAULT_ARCH = ("emb:plain | attn:rope=half@1024,qknorm,scale=0.12,win=1024:LSSSLS | mlp:relu2 "
                "| drop:L7.attn | head:untied,zero,softcap=15,pad=8")


# ============================================================================
# spec parsing
# ============================================================================

@dataclasses.dataclass
class ArchSpec:
    emb_norm: bool = False
    rope_mode: str = "full"        # full | half | none
    rope_base: float = 10000.0
    qk_norm: bool = False
    attn_scale: Optional[float] = None
    window: Optional[int] = None
    window_pattern: str = ""
    mlp_act: str = "gelu"
    dropped: tuple = ()            # (layer, sublayer) pairs
    tied: bool = True
    head_zero: bool = False
    softcap: Optional[float] = None
    vocab_multiple: int = 1
    value_tables: int = 0


_OPT = re.compile(r"^\s*([a-z0-9_]+)\s*(?:=\s*(.+?))?\s*$")


def parse_arch(text: str) -> ArchSpec:
    spec = ArchSpec()
    for section in filter(None, (s.strip() for s in text.split("|"))):
        kind, _, body = section.partition(":")
        opts = [o for o in body.split(",") if o.strip()]
        kind = kind.strip()
        if kind == "drop":
            for raw in opts:
                m = re.match(r"^\s*L(\d+)\.(attn|mlp)\s*$", raw)
                if not m:
                    raise ValueError(f"bad drop target {raw!r}")
                spec.dropped += ((int(m.group(1)), m.group(2)),)
            continue
        for raw in opts:
            m = _OPT.match(raw)
            if not m:
                raise ValueError(f"bad option {raw!r} in section {kind!r}")
            key, val = m.group(1), m.group(2)
            if kind == "emb":
                spec.emb_norm = key == "rms"
            elif kind == "attn":
                if key == "rope":
                    mode, _, base = val.partition("@")
                    spec.rope_mode = mode
                    spec.rope_base = float(base or 10000)
                elif key == "qknorm":
                    spec.qk_norm = True
                elif key == "scale":
                    spec.attn_scale = float(val)
                elif key == "win":
                    w, _, pat = val.partition(":")
                    spec.window, spec.window_pattern = int(w), pat.upper()
                else:
                    raise ValueError(f"unknown attn option {key}")
            elif kind == "mlp":
                spec.mlp_act = key
            elif kind == "head":
                if key == "untied":
                    spec.tied = False
                elif key == "zero":
                    spec.head_zero = True
                elif key == "softcap":
                    spec.softcap = float(val)
                elif key == "pad":
                    spec.vocab_multiple = int(val)
                else:
                    raise ValueError(f"unknown head option {key}")
            elif kind == "ve":
                spec.value_tables = int(key)
            else:
                raise ValueError(f"unknown section {kind}")
    return spec


def round_up(n: int, m: int) -> int:
    return ((n + m - 1) // m) * m


# ============================================================================
# modules
# ============================================================================

class RoPE(nn.Module):
    def __init__(self, hd: int, max_len: int, mode: str, base: float):
        super().__init__()
        if mode == "half":
            quarter = hd // 4
            w = (1.0 / base) ** torch.linspace(0.0, 1.0, steps=quarter, dtype=torch.float32)
            w = torch.cat([w, torch.zeros(quarter, dtype=torch.float32)])
        else:
            w = (1.0 / base) ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd)
        ang = torch.outer(torch.arange(max_len, dtype=torch.float32), w)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def forward(self, x):  # B, T, H, D
        T = x.size(1)
        c, s = self.cos[None, :T, None, :], self.sin[None, :T, None, :]
        u, v = x.float().chunk(2, dim=-1)
        return torch.cat((u * c + v * s, v * c - u * s), dim=-1).type_as(x)


class Attn(nn.Module):
    def __init__(self, d, nh, max_len, spec: ArchSpec):
        super().__init__()
        self.nh, self.spec = nh, spec
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)
        self.rope = RoPE(d // nh, max_len, spec.rope_mode, spec.rope_base) if spec.rope_mode != "none" else None
        self.value_gate = nn.Parameter(torch.tensor([0.5, 0.5])) if spec.value_tables else None

    def forward(self, x, mask, ve=None):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.nh, -1).unbind(2)
        if self.spec.qk_norm:
            q = F.rms_norm(q, (q.size(-1),))
            k = F.rms_norm(k, (k.size(-1),))
        if self.rope is not None:
            q, k = self.rope(q), self.rope(k)
        if self.value_gate is not None and ve is not None:
            v = self.value_gate[0] * v + self.value_gate[1] * ve.view_as(v)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                           block_mask=mask, scale=self.spec.attn_scale)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, d, act):
        super().__init__()
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)
        self.act = act

    def forward(self, x):
        h = self.fc(x)
        if self.act == "relu2":
            h = torch.where(h > 0, h * h, torch.zeros_like(h))
        elif self.act == "gelu":
            h = F.gelu(h)
        else:
            raise ValueError(self.act)
        return self.proj(h)


class Layer(nn.Module):
    def __init__(self, idx, d, nh, max_len, spec: ArchSpec):
        super().__init__()
        drop = {sub for (li, sub) in spec.dropped if li == idx}
        self.attn = None if "attn" in drop else Attn(d, nh, max_len, spec)
        self.mlp = None if "mlp" in drop else MLP(d, spec.mlp_act)

    def forward(self, x, mask, ve=None):
        if self.attn is not None:
            x = x + self.attn(F.rms_norm(x, (x.size(-1),)), mask, ve)
        if self.mlp is not None:
            x = x + self.mlp(F.rms_norm(x, (x.size(-1),)))
        return x


class SpecLM(nn.Module):
    def __init__(self, spec: ArchSpec, vocab=50257, d=768, depth=12, nh=12, max_len=2048):
        super().__init__()
        self.spec, self.depth = spec, depth
        self.vocab_rows = round_up(vocab, spec.vocab_multiple)
        self.embed = nn.Embedding(self.vocab_rows, d)
        self.layers = nn.ModuleList(Layer(i, d, nh, max_len, spec) for i in range(depth))
        self.ve = nn.ModuleList(nn.Embedding(self.vocab_rows, d) for _ in range(spec.value_tables))
        if spec.tied:
            self.head = None
        else:
            self.head = nn.Linear(d, self.vocab_rows, bias=False)
            if spec.head_zero:
                nn.init.zeros_(self.head.weight)

    def layer_windows(self):
        half = self.depth // 2
        pat = self.spec.window_pattern or "L" * half
        assert len(pat) == half, "window pattern must cover the encoder half"
        full = pat + pat[::-1]
        return ["long" if ch == "L" else "short" for ch in full]

    def build_masks(self, T, device):
        W = self.spec.window or T
        masks = {}
        def windowed(w):
            def mod(b, h, q, kv):
                return (q >= kv) & (q - kv < w)
            return mod
        for name, w in (("long", W), ("short", W // 2)):
            masks[name] = create_block_mask(windowed(w), None, None, T, T, device=device)
        return masks

    def forward(self, idx, tgt, masks):
        x = self.embed(idx)
        if self.spec.emb_norm:
            x = F.rms_norm(x, (x.size(-1),))
        ves = [t(idx) for t in self.ve]
        ve_for = (ves + [None] * (self.depth - 2 * len(ves)) + ves) if ves else [None] * self.depth
        for layer, which, ve in zip(self.layers, self.layer_windows(), ve_for):
            x = layer(x, masks[which], ve)
        x = F.rms_norm(x, (x.size(-1),))
        logits = F.linear(x, self.embed.weight) if self.head is None else self.head(x)
        if self.spec.softcap:
            c = self.spec.softcap
            logits = c * torch.tanh(logits / c)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


# ============================================================================
# training
# ============================================================================

def load(path):
    return np.fromfile(path, dtype=np.uint16, offset=1024)


def stream(pattern, B, T, rank, world):
    files = sorted(glob.glob(pattern))
    span = B * T
    while True:
        for f in files:
            toks = load(f)
            for i in range(rank * span, len(toks) - span - 1, world * span):
                a = torch.from_numpy(toks[i:i + span + 1].astype(np.int64)).cuda(non_blocking=True)
                yield a[:-1].view(B, T), a[1:].view(B, T)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default=os.environ.get("ARCH", DEFAULT_ARCH))
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=2048)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--wd", type=float, default=0.05)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--tag", default="sweep")
    args = ap.parse_args()

    spec = parse_arch(args.arch)
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)
    if rank == 0:
        print(f"[{args.tag}] arch = {args.arch}")
        print(f"[{args.tag}] parsed = {spec}")

    model = SpecLM(spec, max_len=args.seq).cuda()
    masks = model.build_masks(args.seq, "cuda")
    if rank == 0:
        n = sum(p.numel() for p in model.parameters())
        print(f"[{args.tag}] params {n / 1e6:.1f}M vocab rows {model.vocab_rows} windows {model.layer_windows()}")
    ddp = DDP(torch.compile(model), device_ids=[local])

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=args.wd)

    def lr_at(s):
        if s < args.warmup:
            return (s + 1) / args.warmup
        return 0.5 * (1 + math.cos(math.pi * (s - args.warmup) / (args.steps - args.warmup)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    train = stream(os.environ["TRAIN_GLOB"], args.batch, args.seq, rank, world)
    amp = torch.autocast("cuda", dtype=torch.bfloat16)
    t0 = time.time()
    for step in range(1, args.steps + 1):
        x, y = next(train)
        with amp:
            loss = ddp(x, y, masks)
        loss.backward()
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        if rank == 0 and step % 50 == 0:
            print(f"[{args.tag}] {step} loss {loss.item():.4f} lr {sched.get_last_lr()[0]:.2e} {time.time() - t0:.0f}s")
        if step % args.eval_every == 0 or step == args.steps:
            ddp.eval()
            val = stream(os.environ["VAL_GLOB"], args.batch, args.seq, rank, world)
            acc = torch.zeros((), device="cuda")
            with torch.no_grad(), amp:
                for _ in range(16):
                    vx, vy = next(val)
                    acc += ddp(vx, vy, masks)
            acc /= 16
            dist.all_reduce(acc, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"[{args.tag}] {step} val {acc.item():.4f}")
            ddp.train()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
