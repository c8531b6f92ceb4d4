"""
ALiBi hourglass LM.

Positional information comes from ALiBi distance penalties. Blocks 0..5 feed a
stack that blocks 6..11 drain (last in, first out) through learnable gates. Block
inputs are re-blended with the normalized token embedding, and output logits are
tanh-capped. Hidden matrices use orthogonalized Nesterov momentum.
"""
import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelArgs:
    vocab_size: int = 50257
    seq_len: int = 1024
    n_layers: int = 12
    n_heads: int = 12
    dim: int = 768
    ffn_dim: int = 3072
    cap: float = 30.0

    @property
    def padded_vocab(self) -> int:
        return ((self.vocab_size + 127) // 128) * 128


def alibi_bias(n_heads: int, T: int, device=None) -> torch.Tensor:
    slopes = torch.tensor([2 ** (-8.0 * (h + 1) / n_heads) for h in range(n_heads)], device=device)
    i = torch.arange(T, device=device)
    dist = (i[:, None] - i[None, :]).float()
    bias = -slopes[:, None, None] * dist[None]
    return bias.masked_fill(dist[None] < 0, float("-inf"))  # (H, T, T), causal


class SelfAttention(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.h = args.n_heads
        self.wq = nn.Linear(args.dim, args.dim, bias=False)
        self.wk = nn.Linear(args.dim, args.dim, bias=False)
        self.wv = nn.Linear(args.dim, args.dim, bias=False)
        self.wo = nn.Linear(args.dim, args.dim, bias=False)

    def forward(self, x, bias):
        B, T, C = x.shape
        q = self.wq(x).view(B, T, self.h, -1).transpose(1, 2)
        k = self.wk(x).view(B, T, self.h, -1).transpose(1, 2)
        v = self.wv(x).view(B, T, self.h, -1).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=bias.to(q.dtype))
        return self.wo(y.transpose(1, 2).reshape(B, T, C))


class FFN(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.w1 = nn.Linear(args.dim, args.ffn_dim, bias=False)
        self.w2 = nn.Linear(args.ffn_dim, args.dim, bias=False)

    def forward(self, x):
        return self.w2(F.gelu(self.w1(x)))


class Layer(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.attn = SelfAttention(args)
        self.ffn = FFN(args)
        self.blend = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, emb, bias):
        w = self.blend
        x = w[0] * x + w[1] * emb
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)), bias)
        return x + self.ffn(F.rms_norm(x, (x.size(-1),)))


class HourglassLM(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.embed = nn.Embedding(args.vocab_size, args.dim)
        self.layers = nn.ModuleList(Layer(args) for _ in range(args.n_layers))
        self.n_down = args.n_layers // 2
        self.gates = nn.Parameter(torch.ones(args.n_layers - self.n_down))
        self.unembed = nn.Linear(args.dim, args.vocab_size, bias=False)
        self.unembed.weight = self.embed.weight
        nn.init.normal_(self.embed.weight, std=0.02)

    def forward(self, idx, targets=None):
        T = idx.size(1)
        bias = alibi_bias(self.args.n_heads, T, idx.device)
        emb = F.rms_norm(self.embed(idx), (self.args.dim,))
        x = emb
        pending = []
        for layer in self.layers[:self.n_down]:
            x = layer(x, emb, bias)
            pending.append(x)
        for g, layer in zip(self.gates, self.layers[self.n_down:]):
            x = layer(x + g * pending.pop(), emb, bias)
        logits = self.unembed(F.rms_norm(x, (self.args.dim,)))
        logits = self.args.cap * torch.tanh(logits / self.args.cap)
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1)).float()


# ------------------------------------------------------------------ optimizer

def orthogonalize(G, steps=5, eps=1e-7):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    wide = X.size(0) <= X.size(1)
    if not wide:
        X = X.mT
    for _ in range(steps):
        A = X @ X.mT
        poly = b * A + c * (A @ A)
        X = a * X + poly @ X
    return X if wide else X.mT


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            mu = grp["momentum"]
            for p in grp["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if "m" not in st:
                    st["m"] = torch.zeros_like(p.grad)
                st["m"].mul_(mu).add_(p.grad)
                look = p.grad + mu * st["m"]
                upd = orthogonalize(look) * (max(p.shape[0], p.shape[1]) ** 0.5)
                p.add_(upd.to(p.dtype), alpha=-grp["lr"])


def make_optimizers(model: HourglassLM, base_lr=0.002):
    layer_params = list(model.layers.parameters())
    matrices = [p for p in layer_params if p.ndim == 2]
    scalars = [p for p in layer_params if p.ndim < 2] + [model.gates]
    adam = torch.optim.AdamW([dict(params=[model.embed.weight], weight_decay=0.1),
                              dict(params=scalars, weight_decay=0.0)], lr=base_lr, betas=(0.9, 0.95))
    ortho = OrthoMomentum(matrices, lr=0.1 * base_lr, momentum=0.95)
    return adam, ortho


def schedule(step, total, warmup=100):
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))


def main(path="data/tokens.bin", total=4000, bsz=12, accum=16, device="cuda"):
    args = ModelArgs()
    print(f"vocab {args.vocab_size} (aligned size would be {args.padded_vocab})")
    torch.manual_seed(11)
    model = HourglassLM(args).to(device)
    adam, ortho = make_optimizers(model)
    opts = [adam, ortho]
    lr0 = [[g["lr"] for g in o.param_groups] for o in opts]
    data = np.memmap(path, dtype=np.uint16, mode="r")
    t_start = time.time()
    for step in range(total):
        for _ in range(accum):
            off = np.random.randint(0, len(data) - args.seq_len - 1, bsz)
            xy = torch.from_numpy(np.stack([data[o:o + args.seq_len + 1] for o in off]).astype(np.int64)).to(device)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = model(xy[:, :-1], xy[:, 1:])
            (loss / accum).backward()
        s = schedule(step, total)
        for o, lrs in zip(opts, lr0):
            for g, l in zip(o.param_groups, lrs):
                g["lr"] = l * s
        ramp = min(step, 500) / 500
        ortho.param_groups[0]["momentum"] = 0.85 + (0.95 - 0.85) * ramp
        for o in opts:
            o.step()
        model.zero_grad(set_to_none=True)
        if step % 25 == 0:
            print(f"step {step}: loss {loss.item():.4f} ({time.time() - t_start:.0f}s)")


if __name__ == "__main__":
    main()
