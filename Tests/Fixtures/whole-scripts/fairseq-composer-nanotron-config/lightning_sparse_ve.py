"""LightningModule-style GPT with sparse value embeddings and a U-shaped layer stack.

Works with `lightning` if installed; otherwise a minimal Trainer with the same hooks is used.
"""
import glob
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

try:
    from lightning import LightningModule, Trainer
except ImportError:
    class LightningModule(nn.Module):
        def log(self, name, value, prog_bar=False):
            if getattr(self, "_step", 0) % 50 == 0:
                print(f"{name}={float(value):.4f}")

    class Trainer:
        def __init__(self, max_steps, precision="bf16-mixed", accelerator="gpu"):
            self.max_steps, self.precision = max_steps, precision

        def fit(self, module, train_dataloaders):
            module.cuda()
            opts, scheds = module.configure_optimizers()
            for step, batch in enumerate(train_dataloaders):
                if step >= self.max_steps:
                    break
                module._step = step
                batch = [t.cuda(non_blocking=True) for t in batch]
                with torch.autocast("cuda", dtype=torch.bfloat16, enabled=self.precision == "bf16-mixed"):
                    loss = module.training_step(batch, step)
                loss.backward()
                module.on_before_optimizer_step(opts)
                for o in opts:
                    o.step()
                for s in scheds:
                    s["scheduler"].step()
                module.zero_grad(set_to_none=True)

HP = dict(vocab=50257, dim=768, heads=12, layers=12, n_value_tables=3, attn_free_layer=7,
          rope_base=1024.0, attn_scale=0.12, seq_len=2048, batch=8, max_steps=4000,
          lr_tables=0.05, lr_scalars=0.02, lr_hidden=0.03, warmup=150)


def norm(t):
    return F.rms_norm(t, (t.size(-1),))


class Rotary(nn.Module):
    def __init__(self, hd, base, max_len):
        super().__init__()
        freqs = base ** (-torch.arange(0, hd // 2, dtype=torch.float32) / (hd // 2))
        ang = torch.arange(max_len, dtype=torch.float32)[:, None] * freqs[None, :]
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def forward(self, x):  # B H T D
        T = x.size(2)
        c, s = self.cos[:T].to(x.dtype), self.sin[:T].to(x.dtype)
        x1, x2 = x.chunk(2, dim=-1)
        return torch.cat([x1 * c + x2 * s, x2 * c - x1 * s], dim=-1)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        d, h = HP["dim"], HP["heads"]
        self.h, self.hd = h, d // h
        self.q, self.k, self.v = (nn.Linear(d, d, bias=False) for _ in range(3))
        self.proj = nn.Linear(d, d, bias=False)
        self.value_mix = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.rotary = Rotary(self.hd, HP["rope_base"], HP["seq_len"])

    def forward(self, x, ve, mask):
        B, T, D = x.shape
        heads = lambda t: t.view(B, T, self.h, self.hd).transpose(1, 2)
        q, k, v = heads(self.q(x)), heads(self.k(x)), heads(self.v(x))
        q, k = norm(q), norm(k)
        q, k = self.rotary(q), self.rotary(k)
        v = self.value_mix[0] * v + (self.value_mix[1] * heads(ve) if ve is not None else 0.0)
        with sdpa_kernel(SDPBackend.EFFICIENT_ATTENTION):
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=HP["attn_scale"])
        return self.proj(y.transpose(1, 2).reshape(B, T, D))


class Layer(nn.Module):
    def __init__(self, idx):
        super().__init__()
        d = HP["dim"]
        self.attn = None if idx == HP["attn_free_layer"] else Attention()
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.out = nn.Linear(4 * d, d, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0, ve, mask):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        if self.attn is not None:
            x = x + self.attn(norm(x), ve, mask)
        h = self.fc(norm(x))
        return x + self.out(h * F.relu(h))


class SparseValueEmbedding(nn.Module):
    def __init__(self):
        super().__init__()
        self.tables = nn.ModuleList(nn.Embedding(HP["vocab"], HP["dim"]) for _ in range(HP["n_value_tables"]))

    def forward(self, idx):
        head = [t(idx) for t in self.tables]
        middle = [None] * (HP["layers"] - 2 * len(head))
        return head + middle + head  # layers 0,1,2 and 9,10,11 reuse tables 0,1,2


class SparseVEGPT(LightningModule):
    def __init__(self):
        super().__init__()
        L = HP["layers"]
        self.embed = nn.Embedding(HP["vocab"], HP["dim"])
        self.value_embeds = SparseValueEmbedding()
        self.layers = nn.ModuleList(Layer(i) for i in range(L))
        self.n_enc = L // 2
        self.skip_weights = nn.Parameter(torch.ones(L - self.n_enc))
        self.lm_head = nn.Linear(HP["dim"], HP["vocab"], bias=False)
        self.lm_head.weight = self.embed.weight

    def forward(self, idx):
        docs = (idx == 50256).cumsum(dim=1)
        T = idx.size(1)
        causal = torch.ones(T, T, dtype=torch.bool, device=idx.device).tril()
        mask = (causal[None] & (docs[:, :, None] == docs[:, None, :]))[:, None]  # B 1 T T
        x = x0 = norm(self.embed(idx))
        ves = self.value_embeds(idx)
        skips = []
        for i in range(self.n_enc):
            x = self.layers[i](x, x0, ves[i], mask)
            skips.append(x)
        for j, i in enumerate(range(self.n_enc, len(self.layers))):
            x = x + self.skip_weights[j] * skips.pop()
            x = self.layers[i](x, x0, ves[i], mask)
        return self.lm_head(norm(x))

    def training_step(self, batch, batch_idx):
        idx, tgt = batch
        logits = self(idx)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), tgt.reshape(-1))
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def on_before_optimizer_step(self, optimizers):
        pass

    def configure_optimizers(self):
        hidden = [p for p in self.layers.parameters() if p.ndim == 2]
        scalars = [p for p in self.parameters() if p.ndim < 2]
        tables = [self.embed.weight] + list(self.value_embeds.parameters())
        adam = torch.optim.Adam([dict(params=tables, lr=HP["lr_tables"]),
                                 dict(params=scalars, lr=HP["lr_scalars"])], betas=(0.9, 0.95))
        muon = MomentumOrtho(hidden, lr=HP["lr_hidden"])

        def warm_cos(step):
            if step < HP["warmup"]:
                return step / HP["warmup"]
            p = (step - HP["warmup"]) / (HP["max_steps"] - HP["warmup"])
            return 0.5 * (1 + math.cos(math.pi * min(p, 1.0)))

        scheds = [{"scheduler": torch.optim.lr_scheduler.LambdaLR(o, warm_cos), "interval": "step"} for o in (adam, muon)]
        return [adam, muon], scheds


def _ns(G):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    T = X.size(-2) > X.size(-1)
    if T:
        X = X.mT
    X = X.div(X.norm().add(1e-7))
    for _ in range(5):
        A = X @ X.mT
        AX = A @ X
        X = a * X + b * AX + c * A @ AX
    return X.mT if T else X


class MomentumOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            mom = grp["momentum"]
            for p in grp["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].get("buf")
                if buf is None:
                    buf = self.state[p]["buf"] = p.grad.clone()
                else:
                    buf.mul_(mom).add_(p.grad)
                p.add_(_ns(p.grad.add(buf, alpha=mom)).type_as(p), alpha=-grp["lr"])


def loader():
    B, T = HP["batch"], HP["seq_len"]
    for f in sorted(glob.glob("data/fineweb10B/fineweb_train_*.bin")):
        arr = np.memmap(f, dtype=np.uint16, mode="r", offset=1024)
        for s in range(0, len(arr) - B * T - 1, B * T):
            t = torch.from_numpy(np.asarray(arr[s:s + B * T + 1], dtype=np.int64))
            yield t[:-1].view(B, T), t[1:].view(B, T)


if __name__ == "__main__":
    Trainer(max_steps=HP["max_steps"], precision="bf16-mixed", accelerator="gpu").fit(SparseVEGPT(), loader())
