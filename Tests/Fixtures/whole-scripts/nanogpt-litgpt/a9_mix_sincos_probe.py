"""
Decoder-only LM with fixed sinusoidal positions, 128-wide heads and a squared-ReLU
MLP. The training run periodically fits a small next-token linear probe on frozen
mid-layer features as a representation-quality diagnostic.
"""
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class HParams:
    vocab = 50257
    ctx = 1024
    depth = 12
    width = 768
    heads = 6
    ffn_mult = 4
    lr = 1e-3
    betas = (0.9, 0.95)
    decay = 0.0
    warmup = 200
    total = 7000
    tail = 1500
    probe_every = 1000
    probe_layer = 6
    probe_lr = 0.0018
    probe_steps = 200


def sinusoid_table(n_pos, dim, base=10000.0):
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
    ang = torch.arange(n_pos, dtype=torch.float32)[:, None] * inv_freq[None, :]
    cos, sin = torch.cos(ang), torch.sin(ang)
    return torch.cat([sin, cos], dim=-1)  # (n_pos, dim)


class Attention(nn.Module):
    def __init__(self, hp):
        super().__init__()
        self.heads = hp.heads
        self.dh = hp.width // hp.heads
        self.qkv = nn.Linear(hp.width, 3 * hp.width, bias=False)
        self.out = nn.Linear(hp.width, hp.width, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, self.dh).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class FeedForward(nn.Module):
    def __init__(self, hp):
        super().__init__()
        self.up = nn.Linear(hp.width, hp.ffn_mult * hp.width, bias=False)
        self.down = nn.Linear(hp.ffn_mult * hp.width, hp.width, bias=False)

    def forward(self, x):
        return self.down(torch.relu(self.up(x)) ** 2)


class Layer(nn.Module):
    def __init__(self, hp):
        super().__init__()
        self.n1 = nn.RMSNorm(hp.width)
        self.n2 = nn.RMSNorm(hp.width)
        self.attn = Attention(hp)
        self.ff = FeedForward(hp)

    def forward(self, x):
        x = x + self.attn(self.n1(x))
        return x + self.ff(self.n2(x))


class LM(nn.Module):
    def __init__(self, hp):
        super().__init__()
        self.hp = hp
        self.tok = nn.Embedding(hp.vocab, hp.width)
        self.register_buffer("pos_table", sinusoid_table(hp.ctx, hp.width), persistent=False)
        self.layers = nn.ModuleList(Layer(hp) for _ in range(hp.depth))
        self.final_norm = nn.RMSNorm(hp.width)
        self.readout = nn.Linear(hp.width, hp.vocab, bias=False)
        for mod in self.modules():
            if isinstance(mod, (nn.Linear, nn.Embedding)):
                nn.init.normal_(mod.weight, std=0.02)
        nn.init.zeros_(self.readout.weight)

    def features(self, idx, upto=None):
        T = idx.size(1)
        h = self.tok(idx)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + 1e-6)
        h = h + self.pos_table[:T]
        for i, layer in enumerate(self.layers):
            if upto is not None and i == upto:
                return h
            h = layer(h)
        return h

    def forward(self, idx, tgt=None):
        logits = self.readout(self.final_norm(self.features(idx)))
        if tgt is None:
            return logits
        return F.cross_entropy(logits.flatten(0, 1), tgt.flatten())


def lr_mult(step, hp):
    if step < hp.warmup:
        return (step + 1) / hp.warmup
    remaining = hp.total - step
    return min(1.0, remaining / hp.tail)


def linear_probe(model, hp, data, device):
    """Fit a fresh linear next-token head on frozen layer-`probe_layer` features."""
    probe = nn.Linear(hp.width, hp.vocab, bias=False).to(device)
    opt = torch.optim.AdamW(probe.parameters(), lr=hp.probe_lr, weight_decay=0.0)
    model.eval()
    for _ in range(hp.probe_steps):
        x, y = batch(data, 8, hp.ctx, device)
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
            feats = model.features(x, upto=hp.probe_layer)
        loss = F.cross_entropy(probe(feats.float()).flatten(0, 1), y.flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.train()
    return loss.item()


def batch(data, bsz, ctx, device):
    ix = np.random.randint(0, len(data) - ctx - 1, bsz)
    xy = torch.from_numpy(np.stack([data[i:i + ctx + 1] for i in ix]).astype(np.int64)).to(device)
    return xy[:, :-1], xy[:, 1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", default="data/train.bin")
    ap.add_argument("--bsz", type=int, default=24)
    ap.add_argument("--accum", type=int, default=10)
    ap.add_argument("--device", default="cuda")
    args = ap.parse_args()
    hp = HParams()
    torch.manual_seed(3)
    model = LM(hp).to(args.device)
    opt = torch.optim.AdamW(model.parameters(), lr=hp.lr, betas=hp.betas, weight_decay=hp.decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_mult(s, hp))
    data = np.memmap(args.train, dtype=np.uint16, mode="r")
    start = time.time()
    for step in range(hp.total):
        for _ in range(args.accum):
            x, y = batch(data, args.bsz, hp.ctx, args.device)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = model(x, y) / args.accum
            loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        if step % 50 == 0:
            print(f"step {step} loss {loss.item() * args.accum:.4f} lr {sched.get_last_lr()[0]:.2e} "
                  f"t {time.time() - start:.0f}s")
        if step > 0 and step % hp.probe_every == 0:
            print(f"  probe@layer{hp.probe_layer}: {linear_probe(model, hp, data, args.device):.4f}")


if __name__ == "__main__":
    main()
