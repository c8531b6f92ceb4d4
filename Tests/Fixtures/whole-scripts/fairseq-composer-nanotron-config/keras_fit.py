"""A Keras-flavoured wrapper around a PyTorch GPT:  model.compile(...); model.fit(ds, epochs, callbacks).

Callbacks receive on_train_begin / on_batch_begin / on_batch_end like keras.callbacks.Callback.
"""
import glob
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# =================================================================== layers
class RotaryEmbedding(nn.Module):
    def __init__(self, dim, max_len=1024):
        super().__init__()
        inv = torch.pow(10000.0, -torch.arange(0, dim, 2, dtype=torch.float32) / dim)
        freqs = torch.arange(max_len, dtype=torch.float32).unsqueeze(1) * inv.unsqueeze(0)
        self.register_buffer("c", freqs.cos(), persistent=False)
        self.register_buffer("s", freqs.sin(), persistent=False)

    def call(self, x):
        T, h = x.size(2), x.size(-1) // 2
        c, s = self.c[:T].type_as(x), self.s[:T].type_as(x)
        left, right = x.split(h, dim=-1)
        return torch.cat((left * c + right * s, right * c - left * s), dim=-1)

    forward = call


class LocalSelfAttention(nn.Module):
    def __init__(self, units, heads, seq_len, window):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(units, 3 * units, bias=False)
        self.out = nn.Linear(units, units, bias=False)
        self.rope = RotaryEmbedding(units // heads, seq_len)
        i = torch.arange(seq_len)
        dist_ = i[:, None] - i[None, :]
        self.register_buffer("allowed", (dist_ >= 0) & (dist_ < window), persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        q, k = self.rope(q), self.rope(k)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=self.allowed[:T, :T])
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class TransformerLayer(nn.Module):
    def __init__(self, units, heads, seq_len, window):
        super().__init__()
        self.attention = LocalSelfAttention(units, heads, seq_len, window)
        self.dense_1 = nn.Linear(units, 4 * units, bias=False)
        self.dense_2 = nn.Linear(4 * units, units, bias=False)
        self.attn_gain = nn.Parameter(torch.ones(()))
        self.ffn_gain = nn.Parameter(torch.ones(()))

    def forward(self, x):
        x = x + self.attn_gain * self.attention(F.rms_norm(x, x.shape[-1:]))
        h = torch.square(torch.relu(self.dense_1(F.rms_norm(x, x.shape[-1:]))))
        return x + self.ffn_gain * self.dense_2(h)


class SequentialLM(nn.Module):
    def __init__(self, vocab=50257, units=768, heads=12, depth=12, seq_len=1024, window=1024):
        super().__init__()
        self.embedding = nn.Embedding(vocab, units)
        self.stack = nn.ModuleList(TransformerLayer(units, heads, seq_len, window) for _ in range(depth))
        self.classifier = nn.Linear(units, vocab, bias=False)
        with torch.no_grad():
            self.classifier.weight.fill_(0.0)

    def forward(self, ids):
        x = self.embedding(ids)
        for layer in self.stack:
            x = layer(x)
        return self.classifier(F.rms_norm(x, x.shape[-1:]))


# =================================================================== optimizer
def orthogonal_polar(M, n_iter=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = M.to(torch.bfloat16)
    wide = X.shape[-2] <= X.shape[-1]
    X = X if wide else X.transpose(-2, -1)
    X = X / (X.norm() + 1e-7)
    for _ in range(n_iter):
        A = X @ X.transpose(-2, -1)
        B = torch.addmm(A @ A, A, torch.eye(A.size(0), device=A.device, dtype=A.dtype), beta=c, alpha=b)
        X = a * X + B @ X
    return X if wide else X.transpose(-2, -1)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, learning_rate=0.04, momentum=0.95):
        super().__init__(params, dict(lr=learning_rate, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is None:
                    continue
                m = self.state[p].setdefault("m", torch.zeros_like(p.grad))
                m.mul_(g["momentum"]).add_(p.grad)
                u = orthogonal_polar(p.grad.add(m, alpha=g["momentum"]))
                p.add_(u.type_as(p), alpha=-g["lr"])


# =================================================================== callbacks
class Callback:
    def on_train_begin(self, trainer): pass
    def on_batch_begin(self, step, trainer): pass
    def on_batch_end(self, step, logs, trainer): pass


class LinearCooldown(Callback):
    """Constant LR, then the last `fraction` of training glides linearly down to `floor` x peak."""

    def __init__(self, total_steps, fraction=0.4, floor=0.1):
        self.total, self.fraction, self.floor = total_steps, fraction, floor

    def on_train_begin(self, trainer):
        for opt in trainer.optimizers:
            for g in opt.param_groups:
                g.setdefault("peak_lr", g["lr"])

    def on_batch_begin(self, step, trainer):
        w = min((1.0 - step / self.total) / self.fraction, 1.0)
        scale = w + (1.0 - w) * self.floor
        for opt in trainer.optimizers:
            for g in opt.param_groups:
                g["lr"] = g["peak_lr"] * scale


class MomentumWarmup(Callback):
    def __init__(self, start=0.85, end=0.95, steps=500):
        self.start, self.end, self.steps = start, end, steps

    def on_batch_begin(self, step, trainer):
        frac = min(step / self.steps, 1.0)
        for opt in trainer.optimizers:
            if isinstance(opt, Muon):
                for g in opt.param_groups:
                    g["momentum"] = (1 - frac) * self.start + frac * self.end


class ProgbarLogger(Callback):
    def on_batch_end(self, step, logs, trainer):
        if step % 50 == 0:
            print(f"{step}/{trainer.steps_per_epoch} - loss: {logs['loss']:.4f}")


# =================================================================== trainer
class Model:
    def __init__(self, network):
        self.network = network.cuda()
        self.optimizers, self.loss_fn = [], None

    def compile(self, optimizer, loss):
        self.optimizers = optimizer if isinstance(optimizer, (list, tuple)) else [optimizer]
        self.loss_fn = loss
        self._step_fn = torch.compile(self.network)

    def train_on_batch(self, x, y):
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = self._step_fn(x)
        loss = self.loss_fn(y, logits)
        loss.backward()
        for opt in self.optimizers:
            opt.step()
        self.network.zero_grad(set_to_none=True)
        return {"loss": loss.item()}

    def fit(self, dataset, epochs=1, steps_per_epoch=None, callbacks=()):
        self.steps_per_epoch = steps_per_epoch
        for cb in callbacks:
            cb.on_train_begin(self)
        step = 0
        for _ in range(epochs):
            for i, (x, y) in enumerate(dataset):
                if steps_per_epoch is not None and i >= steps_per_epoch:
                    break
                for cb in callbacks:
                    cb.on_batch_begin(step, self)
                logs = self.train_on_batch(x.cuda(non_blocking=True), y.cuda(non_blocking=True))
                for cb in callbacks:
                    cb.on_batch_end(step, logs, self)
                step += 1
        return self


def sparse_categorical_crossentropy(y_true, y_pred):
    return F.cross_entropy(y_pred.flatten(0, 1), y_true.flatten())


def token_dataset(pattern, batch_size=32, seq_len=1024):
    for fname in sorted(glob.glob(pattern)):
        data = np.fromfile(fname, dtype=np.uint16, offset=1024)
        stride = batch_size * seq_len
        for j in range(0, len(data) - stride - 1, stride):
            seg = torch.from_numpy(data[j:j + stride + 1].astype(np.int64))
            yield seg[:-1].view(batch_size, seq_len), seg[1:].view(batch_size, seq_len)


if __name__ == "__main__":
    STEPS = 3000
    net = SequentialLM(seq_len=1024, window=1024)
    kernels = [p for p in net.stack.parameters() if p.ndim == 2]
    gains = [p for p in net.stack.parameters() if p.ndim < 2]
    adam = torch.optim.Adam(
        [{"params": [net.embedding.weight], "lr": 0.6},
         {"params": [net.classifier.weight], "lr": 0.008},
         {"params": gains, "lr": 0.04}],
        betas=(0.8, 0.95), eps=1e-10, fused=True)
    lm = Model(net)
    lm.compile(optimizer=[adam, Muon(kernels, learning_rate=0.04)], loss=sparse_categorical_crossentropy)
    lm.fit(token_dataset("data/fineweb10B/fineweb_train_*.bin"), epochs=1, steps_per_epoch=STEPS,
           callbacks=[LinearCooldown(STEPS), MomentumWarmup(), ProgbarLogger()])
