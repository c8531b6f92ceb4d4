"""
keras_like_gpt.py -- a Keras-3-flavoured layer API on top of PyTorch, used to
train a GPT-style model.

    layer = Dense(3072); y = layer(x)            # build() runs on first call
    model = UNetGPT(...)
    model.compile(optimizer={...}, loss="sparse_categorical_crossentropy")
    model.fit(train_ds, steps=..., callbacks=[...], validation_data=val_ds)

Dtype policy: layers default to float32 variables; Embedding layers can be
given dtype="bfloat16", after which every downstream Dense casts its kernel
to the activation dtype at call time.
"""
import glob
import math
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.nn.parallel import DistributedDataParallel

_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}


# =============================================================================
# core layer API
# =============================================================================

class Layer(nn.Module):
    def __init__(self, name=None, dtype="float32"):
        super().__init__()
        self.layer_name = name or type(self).__name__.lower()
        self.variable_dtype = _DTYPES[dtype]
        self.built = False

    def add_weight(self, name, shape, initializer="glorot_uniform", dtype=None):
        t = torch.empty(*shape, dtype=dtype or self.variable_dtype)
        get_initializer(initializer)(t)
        p = nn.Parameter(t)
        self.register_parameter(name, p)
        return p

    def build(self, input_shape):
        pass

    def call(self, *args, **kwargs):
        raise NotImplementedError

    def forward(self, *args, **kwargs):
        if not self.built:
            self.build(tuple(args[0].shape))
            self.built = True
            dev = args[0].device
            self.to(dev)
        return self.call(*args, **kwargs)


def get_initializer(spec):
    if callable(spec):
        return spec
    if spec == "zeros":
        return nn.init.zeros_
    if spec == "ones":
        return nn.init.ones_
    if spec == "glorot_uniform":
        return nn.init.xavier_uniform_
    if spec.startswith("normal:"):
        std = float(spec.split(":")[1])
        return lambda t: nn.init.normal_(t, 0.0, std)
    if spec == "lecun_uniform":
        return lambda t: nn.init.uniform_(t, -math.sqrt(3.0 / t.shape[0]), math.sqrt(3.0 / t.shape[0]))
    raise ValueError(spec)


class Dense(Layer):
    """y = x @ kernel, kernel stored as (input_dim, units) like Keras."""

    def __init__(self, units, kernel_initializer="lecun_uniform", **kw):
        super().__init__(**kw)
        self.units = units
        self.kernel_initializer = kernel_initializer

    def build(self, input_shape):
        self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer)

    def call(self, x):
        return x @ self.kernel.to(x.dtype)


class Embedding(Layer):
    def __init__(self, input_dim, output_dim, **kw):
        super().__init__(**kw)
        self.add_weight("embeddings", (input_dim, output_dim), "normal:0.02")
        self.built = True

    def call(self, ids):
        return F.embedding(ids, self.embeddings)


class RMSNormalization(Layer):
    def call(self, x):
        return F.rms_norm(x, (x.size(-1),))


class CausalSelfAttention(Layer):
    def __init__(self, num_heads, **kw):
        super().__init__(**kw)
        self.num_heads = num_heads

    def build(self, input_shape):
        d = input_shape[-1]
        self.wq, self.wk, self.wv, self.wo = Dense(d), Dense(d), Dense(d), Dense(d)
        for sub in (self.wq, self.wk, self.wv, self.wo):
            sub.build(input_shape)
            sub.built = True
        self.value_mix = self.add_weight("value_mix", (2,), "zeros")
        with torch.no_grad():
            self.value_mix.fill_(0.5)   # [own values, token value embedding], independent weights

    def call(self, x, value_embed):
        B, T, C = x.shape
        H = self.num_heads
        q = self.wq(x).view(B, T, H, -1).transpose(1, 2)
        k = self.wk(x).view(B, T, H, -1).transpose(1, 2)
        v = self.wv(x).view(B, T, H, -1)
        mix = self.value_mix
        v = (mix[0] * v + mix[1] * value_embed.view_as(v)).transpose(1, 2)
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))


class MLPBlock(Layer):
    def __init__(self, expansion=4, **kw):
        super().__init__(**kw)
        self.expansion = expansion

    def build(self, input_shape):
        d = input_shape[-1]
        self.up, self.down = Dense(self.expansion * d), Dense(d)
        self.up.build(input_shape)
        self.down.build(input_shape[:-1] + (self.expansion * d,))
        self.up.built = self.down.built = True

    def call(self, x):
        return self.down(F.gelu(self.up(x), approximate="tanh"))


class TransformerBlock(Layer):
    def __init__(self, num_heads, **kw):
        super().__init__(**kw)
        self.num_heads = num_heads

    def build(self, input_shape):
        self.norm = RMSNormalization()
        self.attn = CausalSelfAttention(self.num_heads)
        self.mlp = MLPBlock()
        self.attn.build(input_shape)
        self.mlp.build(input_shape)
        self.attn.built = self.mlp.built = self.norm.built = True

    def call(self, x, value_embed):
        x = x + self.attn(self.norm(x), value_embed)
        return x + self.mlp(self.norm(x))


# =============================================================================
# model API
# =============================================================================

class Model(Layer):
    def compile(self, optimizer, loss):
        self.optimizer_spec = optimizer
        self.loss_fn = {"sparse_categorical_crossentropy": lambda logits, y: F.cross_entropy(
            logits.reshape(-1, logits.size(-1)), y.reshape(-1))}[loss]
        self.compiled = True

    def param_role(self, name, p):
        raise NotImplementedError

    def _make_optimizers(self):
        buckets = {}
        for name, p in self.named_parameters():
            buckets.setdefault(self.param_role(name, p), []).append(p)
        self.optimizers = [make_opt(buckets[role]) for role, make_opt in self.optimizer_spec.items() if role in buckets]
        for opt in self.optimizers:
            for g in opt.param_groups:
                g["base_lr"] = g["lr"]

    def train_step(self, x, y):
        loss = self.loss_fn(self._replica(x), y)
        loss.backward()
        for opt in self.optimizers:
            opt.step()
        self.zero_grad(set_to_none=True)
        return loss.detach()

    @torch.no_grad()
    def evaluate(self, data, steps):
        tot = torch.zeros((), device="cuda")
        for _ in range(steps):
            x, y = next(data)
            tot += self.loss_fn(self(x), y)
        tot /= steps
        dist.all_reduce(tot, op=dist.ReduceOp.AVG)
        return tot.item()

    def fit(self, x, steps, callbacks=(), validation_data=None, validation_steps=20, validation_freq=125):
        sample_x, _ = next(x)
        with torch.no_grad():
            self(sample_x)  # build all layers
        # "mirrored strategy": a DDP replica that is *not* registered as a submodule
        object.__setattr__(self, "_replica", DistributedDataParallel(self, device_ids=[torch.cuda.current_device()]))
        self._make_optimizers()
        self.stop_training = False
        for cb in callbacks:
            cb.set_model(self)
            cb.on_train_begin()
        for step in range(steps):
            for cb in callbacks:
                cb.on_train_batch_begin(step)
            xb, yb = next(x)
            logs = {"loss": self.train_step(xb, yb)}
            if validation_data is not None and (step + 1) % validation_freq == 0:
                logs["val_loss"] = self.evaluate(validation_data, validation_steps)
            for cb in callbacks:
                cb.on_train_batch_end(step, logs)
        for cb in callbacks:
            cb.on_train_end()


class Callback:
    def set_model(self, model):
        self.model = model

    def on_train_begin(self):
        pass

    def on_train_batch_begin(self, step):
        pass

    def on_train_batch_end(self, step, logs):
        pass

    def on_train_end(self):
        pass


class LearningRateSchedule(Callback):
    def __init__(self, total_steps, decay_frac):
        self.total, self.tail = total_steps, int(decay_frac * total_steps)

    def on_train_batch_begin(self, step):
        f = min(1.0, (self.total - step) / self.tail)
        for opt in self.model.optimizers:
            for g in opt.param_groups:
                g["lr"] = g["base_lr"] * f


class MomentumWarmup(Callback):
    """Ramp the matrix optimizer's momentum from `lo` to `hi` over `steps` batches."""

    def __init__(self, lo=0.85, hi=0.95, steps=300):
        self.lo, self.hi, self.steps = lo, hi, steps

    def on_train_batch_begin(self, step):
        a = min(step / self.steps, 1.0)
        for opt in self.model.optimizers:
            if isinstance(opt, Muon):
                for g in opt.param_groups:
                    g["momentum"] = self.lo + a * (self.hi - self.lo)


class ProgressLogger(Callback):
    def on_train_begin(self):
        self.t0 = time.time()

    def on_train_batch_end(self, step, logs):
        if dist.get_rank() == 0 and (step % 25 == 0 or "val_loss" in logs):
            extra = f" val_loss {logs['val_loss']:.4f}" if "val_loss" in logs else ""
            print(f"step {step} loss {logs['loss'].item():.4f}{extra} {time.time() - self.t0:.0f}s")


# =============================================================================
# optimizer
# =============================================================================

def _newton_schulz(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    transposed = X.size(0) > X.size(1)
    if transposed:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    return X.T if transposed else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, learning_rate=0.04, momentum=0.95, nesterov=True):
        super().__init__(params, dict(lr=learning_rate, momentum=momentum, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(g["momentum"]).add_(p.grad)
                upd = p.grad.add(buf, alpha=g["momentum"]) if g["nesterov"] else buf
                o = _newton_schulz(upd)
                # Keras kernels are (in, out): the tall/wide ratio is out/in
                fan_in, fan_out = p.shape
                p.add_(o.to(p.dtype), alpha=-g["lr"] * max(1.0, fan_out / fan_in) ** 0.5)


def Adam(learning_rate, beta_1=0.9, beta_2=0.95):
    return lambda params: torch.optim.Adam(params, lr=learning_rate, betas=(beta_1, beta_2))


def MuonFactory(learning_rate, momentum=0.95):
    return lambda params: Muon(params, learning_rate=learning_rate, momentum=momentum)


# =============================================================================
# the network
# =============================================================================

class UNetGPT(Model):
    def __init__(self, vocab_size=50257, width=768, depth=12, heads=12, max_len=1024, softcap=30.0):
        super().__init__()
        self.depth, self.half, self.softcap, self.width = depth, depth // 2, softcap, width
        self.token_embedding = Embedding(vocab_size, width, dtype="bfloat16")
        self.position_embedding = Embedding(max_len, width, dtype="bfloat16")
        self.value_embedding = Embedding(vocab_size, width * self.half, dtype="bfloat16")
        self.blocks = nn.ModuleList(TransformerBlock(heads) for _ in range(depth))
        self.final_norm = RMSNormalization()
        self.lm_head = Dense(vocab_size, kernel_initializer="normal:0.0001")
        self.skip_scale = nn.Parameter(torch.ones(depth - self.half))
        self.built = True

    def call(self, ids):
        T = ids.size(1)
        x = self.token_embedding(ids) + self.position_embedding(torch.arange(T, device=ids.device))[None]
        ve = self.value_embedding(ids).chunk(self.half, dim=-1)
        skips = []
        for i in range(self.half):
            x = self.blocks[i](x, ve[i])
            skips.append(x)
        for j in range(self.depth - self.half):
            x = x + self.skip_scale[j] * skips.pop()
            x = self.blocks[self.half + j](x, ve[self.half - 1 - j])
        logits = self.lm_head(self.final_norm(x))
        return self.softcap * torch.tanh(logits / self.softcap)

    def param_role(self, name, p):
        if name.startswith(("token_embedding", "position_embedding", "value_embedding")):
            return "embedding"
        if name.startswith("lm_head"):
            return "head"
        return "matrix" if p.ndim == 2 else "scalar"


# =============================================================================
# data
# =============================================================================

def token_dataset(pattern, batch, seq, rank, world):
    files = sorted(glob.glob(pattern))
    while True:
        for f in files:
            toks = np.fromfile(f, dtype=np.uint16, offset=1024)
            span = batch * seq
            for s in range(rank * span, len(toks) - span - 1, span * world):
                arr = torch.from_numpy(toks[s:s + span + 1].astype(np.int64)).cuda(non_blocking=True)
                yield arr[:-1].view(batch, seq), arr[1:].view(batch, seq)


if __name__ == "__main__":
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    steps = int(os.environ.get("STEPS", 3000))

    model = UNetGPT().cuda()
    model.compile(
        optimizer={
            "embedding": Adam(learning_rate=0.6),
            "head": Adam(learning_rate=0.008),
            "matrix": MuonFactory(learning_rate=0.04),
            "scalar": Adam(learning_rate=0.04),
        },
        loss="sparse_categorical_crossentropy",
    )
    train_ds = token_dataset(os.environ["TRAIN_GLOB"], 32, 1024, rank, world)
    val_ds = token_dataset(os.environ["VAL_GLOB"], 32, 1024, rank, world)
    model.fit(
        train_ds,
        steps=steps,
        callbacks=[LearningRateSchedule(steps, decay_frac=0.3), ProgressLogger()],
        validation_data=val_ds,
    )
    dist.destroy_process_group()
