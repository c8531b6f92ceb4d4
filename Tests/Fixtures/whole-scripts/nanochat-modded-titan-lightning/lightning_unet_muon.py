"""
PyTorch Lightning port of our U-shaped GPT recipe.

    python lightning_unet_muon.py  (uses all visible GPUs, DDP)

Manual optimization: Lightning hands us [muon, adam] from configure_optimizers and
we step both ourselves so we can touch Muon's momentum each step.
"""
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, IterableDataset


class HParams:
    vocab = 50257
    d = 768
    n_layer = 12
    n_head = 12
    seq = 1024
    batch = 32
    max_steps = 3000
    cooldown = 900
    lr_embed = 0.6
    lr_head = 0.008
    lr_scalar = 0.04
    lr_muon = 0.04
    loss_cap = 30.0


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


def rotate_half_pairs(x, cos, sin):
    h = x.size(-1) // 2
    a, b = x[..., :h], x[..., h:]
    return torch.cat((a * cos + b * sin, b * cos - a * sin), -1)


class Attn(nn.Module):
    def __init__(self, hp):
        super().__init__()
        self.nh, self.hd = hp.n_head, hp.d // hp.n_head
        self.qkv = nn.Linear(hp.d, 3 * hp.d, bias=False)
        self.proj = nn.Linear(hp.d, hp.d, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, v_first, cos, sin):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.nh, self.hd).unbind(2)
        if v_first is None:
            v_first = v
        v = (1 - self.lamb) * v + self.lamb * v_first.view_as(v)
        q, k = rotate_half_pairs(q, cos, sin), rotate_half_pairs(k, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C)), v_first


class Block(nn.Module):
    def __init__(self, hp):
        super().__init__()
        self.attn = Attn(hp)
        self.fc = nn.Linear(hp.d, 4 * hp.d, bias=False)
        self.out = nn.Linear(4 * hp.d, hp.d, bias=False)
        self.mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0, v_first, cos, sin):
        x = self.mix[0] * x + self.mix[1] * x0
        a, v_first = self.attn(rms(x), v_first, cos, sin)
        x = x + a
        x = x + self.out(F.gelu(self.fc(rms(x))))
        return x, v_first


class UGPT(nn.Module):
    def __init__(self, hp):
        super().__init__()
        self.embed = nn.Embedding(hp.vocab, hp.d)
        self.blocks = nn.ModuleList(Block(hp) for _ in range(hp.n_layer))
        self.n_enc = hp.n_layer // 2
        self.skip_w = nn.Parameter(torch.ones(hp.n_layer - self.n_enc))
        self.head = nn.Linear(hp.d, hp.vocab, bias=False)
        hd = hp.d // hp.n_head
        f = torch.outer(torch.arange(hp.seq).float(), 10000.0 ** (-torch.arange(0, hd, 2).float() / hd))
        self.register_buffer("cos", f.cos()[None, :, None, :], persistent=False)
        self.register_buffer("sin", f.sin()[None, :, None, :], persistent=False)

    def forward(self, idx):
        T = idx.size(1)
        cos, sin = self.cos[:, :T], self.sin[:, :T]
        x = x0 = rms(self.embed(idx))
        v1, saved = None, []
        for i in range(self.n_enc):
            x, v1 = self.blocks[i](x, x0, v1, cos, sin)
            saved.append(x)
        for j in range(len(self.blocks) - self.n_enc):
            x = x + self.skip_w[j] * saved.pop()
            x, v1 = self.blocks[self.n_enc + j](x, x0, v1, cos, sin)
        return self.head(rms(x))


def newton_schulz5(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    if G.size(0) > G.size(1):
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if G.size(0) > G.size(1) else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self, closure=None):
        for g in self.param_groups:
            for p in g["params"]:
                st = self.state[p]
                if "buf" not in st:
                    st["buf"] = torch.zeros_like(p.grad)
                st["buf"].mul_(g["momentum"]).add_(p.grad)
                upd = newton_schulz5(p.grad.add(st["buf"], alpha=g["momentum"]))
                p.add_(upd.type_as(p), alpha=-g["lr"])


class TokenStream(IterableDataset):
    def __init__(self, path, seq):
        self.path, self.seq = path, seq

    def __iter__(self):
        data = np.memmap(self.path, dtype=np.uint16, mode="r", offset=1024)
        rank = int(os.environ.get("LOCAL_RANK", 0))
        ws = int(os.environ.get("WORLD_SIZE", 1))
        i = rank * (self.seq + 1)
        while True:
            if i + self.seq + 1 >= len(data):
                i = rank * (self.seq + 1)
            t = torch.from_numpy(data[i:i + self.seq + 1].astype(np.int64))
            i += ws * (self.seq + 1)
            yield t[:-1], t[1:]


class UGPTModule(L.LightningModule):
    def __init__(self, hp=HParams()):
        super().__init__()
        self.hp = hp
        self.model = UGPT(hp)
        self.automatic_optimization = False

    def configure_optimizers(self):
        hp = self.hp
        mats = [p for p in self.model.blocks.parameters() if p.ndim == 2]
        scalars = [p for p in self.model.blocks.parameters() if p.ndim < 2] + [self.model.skip_w]
        muon = Muon(mats, lr=hp.lr_muon)
        adam = torch.optim.Adam([
            dict(params=[self.model.embed.weight], lr=hp.lr_embed),
            dict(params=[self.model.head.weight], lr=hp.lr_head),
            dict(params=scalars, lr=hp.lr_scalar),
        ], betas=(0.9, 0.95), eps=1e-8)
        for opt in (muon, adam):
            for g in opt.param_groups:
                g["peak_lr"] = g["lr"]
        return [muon, adam]

    def lr_factor(self, step):
        hp = self.hp
        return 1.0 if step < hp.max_steps - hp.cooldown else (hp.max_steps - step) / hp.cooldown

    def training_step(self, batch, batch_idx):
        x, y = batch
        muon, adam = self.optimizers()
        step = self.global_step // 2  # two optimizers each advance global_step
        logits = self.model(x)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))
        # squash occasional loss spikes before backward
        loss = self.hp.loss_cap * torch.tanh(loss / self.hp.loss_cap)
        self.manual_backward(loss)

        frac = min(step / 500, 1.0)
        for g in muon.optimizer.param_groups:
            g["momentum"] = (1 - frac) * 0.85 + frac * 0.95
        f = self.lr_factor(step)
        for opt in (muon, adam):
            for g in opt.optimizer.param_groups:
                g["lr"] = g["peak_lr"] * f
            opt.step()
            opt.zero_grad(set_to_none=True)
        self.log("train/loss", loss, prog_bar=True)
        return loss

    def train_dataloader(self):
        return DataLoader(TokenStream("data/fineweb_train.bin", self.hp.seq), batch_size=self.hp.batch,
                          num_workers=2, pin_memory=True)


if __name__ == "__main__":
    torch.set_float32_matmul_precision("high")
    hp = HParams()
    trainer = L.Trainer(accelerator="gpu", devices=-1, strategy="ddp", precision="bf16-mixed",
                        max_steps=2 * hp.max_steps, log_every_n_steps=20, enable_checkpointing=False)
    trainer.fit(UGPTModule(hp))
