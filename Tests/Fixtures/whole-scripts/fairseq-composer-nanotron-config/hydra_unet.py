"""Hydra-configured U-Net GPT.

    python hydra_unet.py model.n_head=12 optim.muon_lr=0.03 train.steps=2000
"""
import glob
import math
from dataclasses import dataclass, field
from typing import List

import hydra
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf


@dataclass
class ModelConf:
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    softcap: float = 15.0
    rope_theta: float = 10000.0
    fp8_eval_head: bool = True


@dataclass
class OptimConf:
    muon_lr: float = 0.03
    muon_momentum: float = 0.95
    table_lr: float = 0.01
    scalar_lr: float = 0.02
    betas: List[float] = field(default_factory=lambda: [0.9, 0.95])


@dataclass
class TrainConf:
    steps: int = 2000
    batch_size: int = 16
    seq_len: int = 1024
    data: str = "data/fineweb10B/fineweb_train_*.bin"
    log_every: int = 10


@dataclass
class RunConf:
    model: ModelConf = field(default_factory=ModelConf)
    optim: OptimConf = field(default_factory=OptimConf)
    train: TrainConf = field(default_factory=TrainConf)


ConfigStore.instance().store(name="speedrun", node=RunConf)


def rmsn(t):
    return F.rms_norm(t, (t.size(-1),))


def fp8_matmul_eval(x, w):
    """Inference-only e4m3 GEMM for the output head (per-tensor scales)."""
    x2 = x.reshape(-1, x.size(-1)).contiguous()
    n_out = w.size(0)
    w = F.pad(w, (0, 0, 0, (-n_out) % 16))  # _scaled_mm wants N % 16 == 0
    sx = x2.abs().amax().clamp(min=1e-12) / 448.0
    sw = w.abs().amax().clamp(min=1e-12) / 448.0
    xf8 = (x2 / sx).to(torch.float8_e4m3fn)
    wf8 = (w / sw).to(torch.float8_e4m3fn)
    out = torch._scaled_mm(xf8, wf8.t(), scale_a=sx.float(), scale_b=sw.float(), out_dtype=torch.bfloat16)
    return out[:, :n_out].reshape(*x.shape[:-1], n_out)


class Rope(nn.Module):
    def __init__(self, hd, theta):
        super().__init__()
        self.register_buffer("freq", theta ** -(torch.arange(0, hd, 2).float() / hd), persistent=False)

    def forward(self, x):
        ang = torch.arange(x.size(-2), device=x.device).float()[:, None] * self.freq[None]
        c, s = ang.cos().type_as(x), ang.sin().type_as(x)
        half = x.size(-1) // 2
        u, w = x[..., :half], x[..., half:]
        return torch.cat((u * c + w * s, -u * s + w * c), -1)


class Attn(nn.Module):
    def __init__(self, mc):
        super().__init__()
        self.nh, self.hd = mc.n_head, mc.n_embd // mc.n_head
        self.wq = nn.Linear(mc.n_embd, mc.n_embd, bias=False)
        self.wk = nn.Linear(mc.n_embd, mc.n_embd, bias=False)
        self.wv = nn.Linear(mc.n_embd, mc.n_embd, bias=False)
        self.wo = nn.Linear(mc.n_embd, mc.n_embd, bias=False)
        nn.init.zeros_(self.wq.weight)  # start with uniform attention over the causal prefix
        self.mix = nn.Parameter(torch.full((2,), 0.5))
        self.rope = Rope(self.hd, mc.rope_theta)

    def forward(self, x, ve):
        B, T, C = x.shape
        split = lambda t: t.view(B, T, self.nh, self.hd).transpose(1, 2)
        q, k, v = split(self.wq(x)), split(self.wk(x)), split(self.wv(x))
        v = self.mix[0] * v + self.mix[1] * split(ve)
        q, k = self.rope(q), self.rope(k)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))


class Layer(nn.Module):
    def __init__(self, mc):
        super().__init__()
        self.attn = Attn(mc)
        self.fc_in = nn.Linear(mc.n_embd, 4 * mc.n_embd, bias=False)
        self.fc_out = nn.Linear(4 * mc.n_embd, mc.n_embd, bias=False)
        self.x0_mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0, ve):
        x = self.x0_mix[0] * x + self.x0_mix[1] * x0
        x = x + self.attn(rmsn(x), ve)
        return x + self.fc_out(F.gelu(self.fc_in(rmsn(x))))


class ValueTables(nn.Module):
    def __init__(self, vocab, dim, n):
        super().__init__()
        self.tables = nn.ModuleList(nn.Embedding(vocab, dim) for _ in range(n))

    def forward(self, idx):
        ves = [tab(idx) for tab in self.tables]
        return ves + ves[::-1]  # encoder i <-> decoder (n-1-i)


class UNetGPT(nn.Module):
    def __init__(self, mc):
        super().__init__()
        self.mc = mc
        self.n_enc = mc.n_layer // 2
        self.n_dec = mc.n_layer - self.n_enc
        self.tok = nn.Embedding(mc.vocab_size, mc.n_embd)
        self.values = ValueTables(mc.vocab_size, mc.n_embd, self.n_enc)
        self.layers = nn.ModuleList(Layer(mc) for _ in range(mc.n_layer))
        self.skip_gain = nn.Parameter(torch.ones(self.n_dec))
        self.head = nn.Linear(mc.n_embd, mc.vocab_size, bias=False)
        self.head.weight.data.zero_()

    def forward(self, idx, tgt):
        x = x0 = rmsn(self.tok(idx))
        ves = self.values(idx)
        stack = []
        for i in range(self.n_enc):
            x = self.layers[i](x, x0, ves[i])
            stack.append(x)
        for j in range(self.n_dec):
            x = x + self.skip_gain[j] * stack.pop()
            x = self.layers[self.n_enc + j](x, x0, ves[self.n_enc + j])
        x = rmsn(x)
        if not self.training and self.mc.fp8_eval_head:
            logits = fp8_matmul_eval(x, self.head.weight.to(torch.bfloat16))
        else:
            logits = self.head(x)
        logits = self.mc.softcap * torch.tanh(logits / self.mc.softcap)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


def newton_schulz(G, n=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    tr = X.size(0) > X.size(1)
    X = X.mT if tr else X
    X = X / (X.norm() + 1e-7)
    for _ in range(n):
        A = X @ X.mT
        X = a * X + b * (A @ X) + c * (A @ (A @ X))
    return X.mT if tr else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                st = self.state[p]
                if not st:
                    st["m"] = torch.zeros_like(p)
                st["m"].mul_(g["momentum"]).add_(p.grad)
                d = p.grad + g["momentum"] * st["m"]
                p.sub_(g["lr"] * newton_schulz(d).type_as(p))


def batches(pattern, bs, T):
    while True:
        for f in sorted(glob.glob(pattern)):
            toks = np.fromfile(f, dtype=np.uint16, offset=1024)
            n = bs * T
            for i in range(0, len(toks) - n - 1, n):
                t = torch.from_numpy(toks[i:i + n + 1].astype(np.int64)).cuda()
                yield t[:-1].view(bs, T), t[1:].view(bs, T)


@hydra.main(version_base=None, config_name="speedrun")
def main(cfg: DictConfig) -> None:
    print(OmegaConf.to_yaml(cfg))
    torch.backends.cuda.enable_cudnn_sdp(True)
    torch.backends.cuda.enable_flash_sdp(False)
    torch.backends.cuda.enable_mem_efficient_sdp(False)
    torch.backends.cuda.enable_math_sdp(False)

    model = UNetGPT(cfg.model).cuda()
    mats = [p for p in model.layers.parameters() if p.ndim == 2]
    scal = [p for p in model.parameters() if p.ndim < 2]
    tables = [model.tok.weight, model.head.weight, *model.values.parameters()]
    adam = torch.optim.Adam([{"params": tables, "lr": cfg.optim.table_lr},
                             {"params": scal, "lr": cfg.optim.scalar_lr}], betas=tuple(cfg.optim.betas))
    muon = Muon(mats, lr=cfg.optim.muon_lr, momentum=cfg.optim.muon_momentum)
    opts = [adam, muon]
    scheds = [torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=cfg.train.steps) for o in opts]

    fwd = torch.compile(model)
    it = batches(cfg.train.data, cfg.train.batch_size, cfg.train.seq_len)
    for step in range(cfg.train.steps):
        x, y = next(it)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = fwd(x, y)
        loss.backward()
        for o, s in zip(opts, scheds):
            o.step()
            s.step()
        model.zero_grad(set_to_none=True)
        if step % cfg.train.log_every == 0:
            print(f"step {step} loss {loss.item():.4f} lr_scale {scheds[0].get_last_lr()[0] / cfg.optim.table_lr:.3f}")

    model.eval()
    with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
        x, y = next(it)
        print(f"final eval loss (fp8 head) {model(x, y).item():.4f}")


if __name__ == "__main__":
    main()
