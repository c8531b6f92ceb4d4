"""llm-foundry flavoured pretraining script: ComposerModel + algorithms-as-callbacks.

All knobs live in one YAML-equivalent dict wrapped as a DictConfig so that
`cfg.model.d_model` style access works with or without omegaconf installed.
"""
import enum
import glob
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

try:
    from omegaconf import OmegaConf

    def to_cfg(d):
        return OmegaConf.create(d)
except ImportError:  # tiny fallback with attribute access
    class _Node(dict):
        __getattr__ = dict.__getitem__
        __setattr__ = dict.__setitem__

    def to_cfg(d):
        return _Node({k: to_cfg(v) if isinstance(v, dict) else v for k, v in d.items()})

RAW = {
    "model": {"name": "mpt_flex", "d_model": 768, "n_heads": 12, "n_layers": 12, "vocab_size": 50257,
              "max_seq_len": 8192, "expansion_ratio": 4, "logit_cap": 30.0, "eos_token_id": 50256},
    "attn": {"window_min": 64, "window_max": 1792, "window_quantum": 64},
    "optimizer": {"embed_lr": 6.0e-3, "scalar_lr": 2.0e-2, "matrix_lr": 3.0e-2,
                  "betas": [0.8, 0.95], "eps": 1.0e-8},
    "scheduler": {"t_warmup": 100, "alpha_f": 0.1},
    "algorithms": {"momentum_ramp": {"start": 0.85, "end": 0.95, "ramp_batches": 300}},
    "train_loader": {"pattern": "data/fineweb10B/fineweb_train_*.bin", "microbatch": 8},
    "max_duration": 2400,
    "log_every": 25,
}
cfg = to_cfg(RAW)


# ------------------------------------------------------------------ Composer shims
class ComposerModel(nn.Module):
    def loss(self, outputs, batch):
        raise NotImplementedError


class Event(enum.Enum):
    FIT_START = "fit_start"
    BATCH_START = "batch_start"
    BATCH_END = "batch_end"


class Algorithm:
    def match(self, event, state):
        return False

    def apply(self, event, state):
        pass


class State:
    def __init__(self, model, optimizers, max_duration):
        self.model, self.optimizers, self.max_duration = model, optimizers, max_duration
        self.batch_idx = 0


# ------------------------------------------------------------------ model
def _rmsnorm(t):
    return F.rms_norm(t, (t.shape[-1],))


class FlexAttn(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h, self.dh = c.n_heads, c.d_model // c.n_heads
        self.Wqkv = nn.Linear(c.d_model, 3 * c.d_model, bias=False)
        self.out_proj = nn.Linear(c.d_model, c.d_model, bias=False)
        self.ve_gate = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, ve, block_mask):
        B, T, D = x.shape
        q, k, v = self.Wqkv(x).split(D, dim=-1)
        v = torch.lerp(v, ve, self.ve_gate)  # (1 - g) * v + g * ve
        q, k, v = (t.view(B, T, self.h, self.dh).transpose(1, 2) for t in (q, k, v))
        y = flex_attention(q, k, v, block_mask=block_mask)
        return self.out_proj(y.transpose(1, 2).reshape(B, T, D))


class MPTBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attn = FlexAttn(c)
        self.up = nn.Linear(c.d_model, c.expansion_ratio * c.d_model, bias=False)
        self.down = nn.Linear(c.expansion_ratio * c.d_model, c.d_model, bias=False)
        self.resid_mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0, ve, block_mask):
        x = self.resid_mix[0] * x + self.resid_mix[1] * x0
        x = x + self.attn(_rmsnorm(x), ve, block_mask)
        return x + self.down(F.gelu(self.up(_rmsnorm(x)), approximate="tanh"))


class MPTFlex(ComposerModel):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.wte = nn.Embedding(c.vocab_size, c.d_model)
        self.wpe = nn.Embedding(c.max_seq_len, c.d_model)
        self.value_table = nn.Embedding(c.vocab_size, c.n_layers * c.d_model)
        self.blocks = nn.ModuleList(MPTBlock(c) for _ in range(c.n_layers))
        self.lm_head = nn.Linear(c.d_model, c.vocab_size, bias=False)
        nn.init.normal_(self.lm_head.weight, std=0.02)
        self.register_buffer("window", torch.tensor(cfg.attn.window_min, dtype=torch.int32), persistent=False)

    def _mask(self, idx):
        B, T = idx.shape
        doc = (idx == self.c.eos_token_id).cumsum(dim=1)
        win = self.window

        def mask_mod(b, h, q_idx, kv_idx):
            same_doc = doc[b, q_idx] == doc[b, kv_idx]
            return (q_idx >= kv_idx) & same_doc & (q_idx - kv_idx < win)

        return create_block_mask(mask_mod, B, None, T, T, device=idx.device)

    def forward(self, batch):
        idx = batch["input_ids"]
        T = idx.size(1)
        pos = torch.arange(T, device=idx.device)
        x0 = _rmsnorm(self.wte(idx) + self.wpe(pos)[None])
        per_layer_ve = self.value_table(idx).chunk(self.c.n_layers, dim=-1)
        bm = self._mask(idx)
        x = x0
        for blk, ve in zip(self.blocks, per_layer_ve):
            x = blk(x, x0, ve, bm)
        logits = self.lm_head(_rmsnorm(x))
        cap = self.c.logit_cap
        return cap * torch.tanh(logits / cap)

    def loss(self, outputs, batch):
        return F.cross_entropy(outputs.flatten(0, 1), batch["labels"].flatten())


# ------------------------------------------------------------------ optimizers
def orthogonalize(M, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = M.bfloat16()
    flip = M.shape[0] > M.shape[1]
    if flip:
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        AX = A @ X
        X = a * X + b * AX + c * A @ AX
    return X.T if flip else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.lerp_(p.grad, 1 - group["momentum"])
                look_ahead = p.grad.lerp(buf, group["momentum"])
                p.add_(orthogonalize(look_ahead).type_as(p), alpha=-group["lr"])


def build_optimizers(model, oc):
    matrices = [p for p in model.blocks.parameters() if p.ndim == 2]
    scalars = [p for p in model.blocks.parameters() if p.ndim < 2]
    tables = [model.wte.weight, model.wpe.weight, model.value_table.weight, model.lm_head.weight]
    adam = torch.optim.Adam([dict(params=tables, lr=oc.embed_lr), dict(params=scalars, lr=oc.scalar_lr)],
                            betas=tuple(oc.betas), eps=oc.eps)
    return [adam, Muon(matrices, lr=oc.matrix_lr)]


def cosine_with_warmup(sc, max_duration):
    def f(step):
        if step < sc.t_warmup:
            return (step + 1) / sc.t_warmup
        frac = (step - sc.t_warmup) / max(1, max_duration - sc.t_warmup)
        return sc.alpha_f + (1 - sc.alpha_f) * 0.5 * (1 + math.cos(math.pi * frac))
    return f


# ------------------------------------------------------------------ algorithms
class SlidingWindowRamp(Algorithm):
    """Grows the local attention span linearly during training."""

    def __init__(self, lo, hi, quantum):
        self.lo, self.hi, self.q = lo, hi, quantum

    def match(self, event, state):
        return event == Event.BATCH_START

    def apply(self, event, state):
        progress = state.batch_idx / state.max_duration
        span = self.q * int((progress * (self.hi - self.lo) + self.lo) // self.q)
        state.model.window.fill_(span)


class MomentumRamp(Algorithm):
    def __init__(self, start, end, ramp_batches):
        self.start, self.end, self.n = start, end, ramp_batches

    def match(self, event, state):
        return event == Event.BATCH_START

    def apply(self, event, state):
        t = min(state.batch_idx / self.n, 1.0)
        for opt in state.optimizers:
            if isinstance(opt, Muon):
                for g in opt.param_groups:
                    g["momentum"] = self.start + t * (self.end - self.start)


# ------------------------------------------------------------------ data + trainer
def stream_batches(pattern, rows, seq_len):
    for path in sorted(glob.glob(pattern)):
        toks = np.fromfile(path, dtype=np.uint16, offset=1024).astype(np.int64)
        n = rows * seq_len
        for s in range(0, len(toks) - n - 1, n):
            chunk = torch.from_numpy(toks[s:s + n + 1])
            yield {"input_ids": chunk[:-1].view(rows, seq_len), "labels": chunk[1:].view(rows, seq_len)}


class Trainer:
    def __init__(self, model, optimizers, schedule_fn, algorithms, max_duration):
        self.state = State(model, optimizers, max_duration)
        self.algorithms = algorithms
        self.scheds = [torch.optim.lr_scheduler.LambdaLR(o, schedule_fn) for o in optimizers]

    def _run(self, event):
        for algo in self.algorithms:
            if algo.match(event, self.state):
                algo.apply(event, self.state)

    def fit(self, loader, device):
        st = self.state
        compiled = torch.compile(st.model)
        self._run(Event.FIT_START)
        for batch in loader:
            if st.batch_idx >= st.max_duration:
                break
            batch = {k: v.to(device) for k, v in batch.items()}
            self._run(Event.BATCH_START)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = st.model.loss(compiled(batch), batch)
            loss.backward()
            for opt, sch in zip(st.optimizers, self.scheds):
                opt.step()
                sch.step()
            st.model.zero_grad(set_to_none=True)
            self._run(Event.BATCH_END)
            if st.batch_idx % cfg.log_every == 0:
                print(f"[batch={st.batch_idx}/{st.max_duration}] loss/train/total: {loss.item():.4f}")
            st.batch_idx += 1


def main():
    device = "cuda"
    model = MPTFlex(cfg.model).to(device)
    optimizers = build_optimizers(model, cfg.optimizer)
    algos = [SlidingWindowRamp(cfg.attn.window_min, cfg.attn.window_max, cfg.attn.window_quantum),
             MomentumRamp(**dict(cfg.algorithms.momentum_ramp))]
    trainer = Trainer(model, optimizers, cosine_with_warmup(cfg.scheduler, cfg.max_duration), algos,
                      cfg.max_duration)
    trainer.fit(stream_batches(cfg.train_loader.pattern, cfg.train_loader.microbatch, cfg.model.max_seq_len),
                device)


if __name__ == "__main__":
    main()
