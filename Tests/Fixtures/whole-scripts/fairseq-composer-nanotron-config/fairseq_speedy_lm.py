# speedy_lm: a decoder-only LM written against a fairseq-like plugin surface.
# Usage: python fairseq_speedy_lm.py --data /path/to/shards --max-update 3000
import argparse
import glob
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# --------------------------------------------------------------------------- registry
MODEL_REGISTRY, ARCH_REGISTRY = {}, {}


def register_model(name):
    def deco(cls):
        MODEL_REGISTRY[name] = cls
        return cls
    return deco


def register_model_architecture(model_name, arch_name):
    def deco(fn):
        ARCH_REGISTRY[arch_name] = (model_name, fn)
        return fn
    return deco


class FairseqIncrementalDecoder(nn.Module):
    """Minimal stand-in for fairseq.models.FairseqIncrementalDecoder."""

    def __init__(self, dictionary_size):
        super().__init__()
        self.dictionary_size = dictionary_size

    def get_incremental_state(self, incremental_state, key):
        if incremental_state is None:
            return None
        return incremental_state.get(f"{id(self)}.{key}")

    def set_incremental_state(self, incremental_state, key, value):
        if incremental_state is not None:
            incremental_state[f"{id(self)}.{key}"] = value

    def reorder_incremental_state(self, incremental_state, new_order):
        for k, v in list(incremental_state.items()):
            incremental_state[k] = {n: t.index_select(0, new_order) for n, t in v.items()}


# --------------------------------------------------------------------------- modules
class RotaryPositionalEmbedding(nn.Module):
    def __init__(self, head_dim, theta=10000.0):
        super().__init__()
        exponents = torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim
        self.register_buffer("inv_freq", theta ** (-exponents), persistent=False)
        self._cache_len, self._cos, self._sin = 0, None, None

    def _tables(self, length, device):
        if length > self._cache_len or self._cos is None or self._cos.device != device:
            pos = torch.arange(length, device=device, dtype=torch.float32)
            ang = pos[:, None] * self.inv_freq.to(device)[None, :]
            self._cos, self._sin, self._cache_len = ang.cos().bfloat16(), ang.sin().bfloat16(), length
        return self._cos, self._sin

    def forward(self, x, offset=0):
        # x: (B, T, H, D)
        T = x.size(1)
        cos, sin = self._tables(offset + T, x.device)
        cos, sin = cos[offset:offset + T][None, :, None, :], sin[offset:offset + T][None, :, None, :]
        half = x.size(-1) // 2
        a, b = x[..., :half], x[..., half:]
        return torch.cat([a * cos + b * sin, b * cos - a * sin], dim=-1).type_as(x)


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


class SelfAttention(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.embed_dim = args.decoder_embed_dim
        self.num_heads = args.decoder_attention_heads
        self.head_dim = self.embed_dim // self.num_heads
        self.q_proj = nn.Linear(self.embed_dim, self.embed_dim, bias=False)
        self.k_proj = nn.Linear(self.embed_dim, self.embed_dim, bias=False)
        self.v_proj = nn.Linear(self.embed_dim, self.embed_dim, bias=False)
        self.out_proj = nn.Linear(self.embed_dim, self.embed_dim, bias=False)
        nn.init.zeros_(self.out_proj.weight)
        self.rope = RotaryPositionalEmbedding(self.head_dim)

    def forward(self, x, incremental_state=None, owner=None):
        B, T, _ = x.shape
        shape = (B, T, self.num_heads, self.head_dim)
        q, k, v = self.q_proj(x).view(shape), self.k_proj(x).view(shape), self.v_proj(x).view(shape)
        q, k = rms(q), rms(k)  # per-head normalisation, no gain
        offset = 0
        saved = owner.get_incremental_state(incremental_state, "attn") if owner is not None else None
        if saved is not None:
            offset = saved["k"].size(1)
        q, k = self.rope(q, offset), self.rope(k, offset)
        if saved is not None:
            k = torch.cat([saved["k"], k], dim=1)
            v = torch.cat([saved["v"], v], dim=1)
        if owner is not None:
            owner.set_incremental_state(incremental_state, "attn", {"k": k, "v": v})
        out = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=saved is None)
        return self.out_proj(out.transpose(1, 2).reshape(B, T, self.embed_dim))


class FeedForward(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.fc1 = nn.Linear(args.decoder_embed_dim, args.decoder_ffn_embed_dim, bias=False)
        self.fc2 = nn.Linear(args.decoder_ffn_embed_dim, args.decoder_embed_dim, bias=False)
        nn.init.zeros_(self.fc2.weight)

    def forward(self, x):
        h = self.fc1(x)
        return self.fc2(h.clamp(min=0).pow(2))


class DecoderLayer(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.self_attn = SelfAttention(args)
        self.ffn = FeedForward(args)

    def forward(self, x, incremental_state=None, owner=None):
        x = x + self.self_attn(rms(x), incremental_state, owner)
        return x + self.ffn(rms(x))


@register_model("speedy_lm")
class SpeedyDecoder(FairseqIncrementalDecoder):
    @staticmethod
    def add_args(parser):
        parser.add_argument("--decoder-embed-dim", type=int, default=768)
        parser.add_argument("--decoder-ffn-embed-dim", type=int, default=3072)
        parser.add_argument("--decoder-layers", type=int, default=12)
        parser.add_argument("--decoder-attention-heads", type=int, default=6)
        parser.add_argument("--share-decoder-input-output-embed", action="store_true", default=False)

    @classmethod
    def build_model(cls, args, dict_size):
        args.padded_dict_size = ((dict_size + 127) // 128) * 128
        return cls(args, args.padded_dict_size)

    def __init__(self, args, padded_size):
        super().__init__(padded_size)
        self.embed_tokens = nn.Embedding(padded_size, args.decoder_embed_dim)
        self.layers = nn.ModuleList(DecoderLayer(args) for _ in range(args.decoder_layers))
        if args.share_decoder_input_output_embed:
            self.output_projection = None
        else:
            self.output_projection = nn.Linear(args.decoder_embed_dim, padded_size, bias=False)
            nn.init.zeros_(self.output_projection.weight)

    def extract_features(self, prev_output_tokens, incremental_state=None):
        x = self.embed_tokens(prev_output_tokens)
        for layer in self.layers:
            x = layer(x, incremental_state, self)
        return rms(x)

    def output_layer(self, features):
        if self.output_projection is None:
            return F.linear(features, self.embed_tokens.weight)
        return self.output_projection(features)

    def forward(self, prev_output_tokens, incremental_state=None):
        return self.output_layer(self.extract_features(prev_output_tokens, incremental_state))


@register_model_architecture("speedy_lm", "speedy_lm_base")
def speedy_lm_base(args):
    args.decoder_embed_dim = getattr(args, "decoder_embed_dim", 768)
    args.decoder_attention_heads = getattr(args, "decoder_attention_heads", 6)


# --------------------------------------------------------------------------- criterion
def cross_entropy_criterion(logits, target, args):
    lprobs = F.log_softmax(logits.float(), dim=-1)
    loss = F.nll_loss(lprobs.view(-1, lprobs.size(-1)), target.view(-1), reduction="mean")
    if args.loss_soft_clip > 0:  # guards against rare loss spikes
        loss = args.loss_soft_clip * torch.tanh(loss / args.loss_soft_clip)
    return loss


# --------------------------------------------------------------------------- optimizers
def _polar_factor(G, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.to(torch.bfloat16)
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.t()
    X = X / (torch.linalg.matrix_norm(X, ord="fro") + 1e-7)
    for _ in range(iters):
        gram = X @ X.t()
        gx = gram @ X
        X = a * X + b * gx + c * (gram @ gx)
    return X.t() if tall else X


class OrthoNesterovSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, ns_iters=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_iters=ns_iters))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if "buf" not in st:
                    st["buf"] = torch.zeros_like(p.grad)
                st["buf"].mul_(mu).add_(p.grad)
                nesterov_dir = p.grad + mu * st["buf"]
                upd = _polar_factor(nesterov_dir, group["ns_iters"])
                rows, cols = p.shape
                p.add_(upd.to(p.dtype), alpha=-group["lr"] * math.sqrt(max(1.0, rows / cols)))


def build_optimizers(args, model):
    hidden = [p for p in model.layers.parameters() if p.ndim == 2]
    adam = torch.optim.Adam(
        [dict(params=[model.embed_tokens.weight], lr=args.embed_lr),
         dict(params=[model.output_projection.weight], lr=args.head_lr)],
        betas=(0.9, 0.95), weight_decay=0.0)
    ortho = OrthoNesterovSGD(hidden, lr=args.hidden_lr, momentum=0.95)
    return [adam, ortho]


class TrapezoidSchedule:
    """fairseq-style lr_scheduler: step_update(num_updates) -> multiplier."""

    def __init__(self, optimizers, args):
        self.optimizers, self.args = optimizers, args
        for opt in optimizers:
            for g in opt.param_groups:
                g["initial_lr"] = g["lr"]

    def factor(self, n):
        a = self.args
        if a.warmup_updates > 0 and n < a.warmup_updates:
            return (n + 1) / a.warmup_updates
        decay_start = a.max_update - a.warmdown_updates
        if n < decay_start:
            return 1.0
        return (a.max_update - n) / a.warmdown_updates

    def step_update(self, num_updates):
        f = self.factor(num_updates)
        for opt in self.optimizers:
            for g in opt.param_groups:
                g["lr"] = g["initial_lr"] * f
        return f


# --------------------------------------------------------------------------- data
class TokenBlockStream:
    def __init__(self, pattern, tokens_per_sample, batch_size):
        self.files = sorted(glob.glob(pattern))
        assert self.files, f"no shards match {pattern}"
        self.T, self.B = tokens_per_sample, batch_size
        self.shard, self.pos = -1, 0
        self._next_shard()

    def _next_shard(self):
        self.shard = (self.shard + 1) % len(self.files)
        self.tokens = np.memmap(self.files[self.shard], dtype=np.uint16, mode="r", offset=1024)
        self.pos = 0

    def next(self):
        need = self.B * self.T + 1
        if self.pos + need > len(self.tokens):
            self._next_shard()
        chunk = torch.from_numpy(self.tokens[self.pos:self.pos + need].astype(np.int64))
        self.pos += self.B * self.T
        return chunk[:-1].view(self.B, self.T), chunk[1:].view(self.B, self.T)


# --------------------------------------------------------------------------- main
def get_parser():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="data/fineweb10B/fineweb_train_*.bin")
    p.add_argument("--arch", default="speedy_lm_base")
    p.add_argument("--tokens-per-sample", type=int, default=1024)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--update-freq", type=int, default=2)
    p.add_argument("--max-update", type=int, default=3000)
    p.add_argument("--warmup-updates", type=int, default=0)
    p.add_argument("--warmdown-updates", type=int, default=900)
    p.add_argument("--embed-lr", type=float, default=0.3)
    p.add_argument("--head-lr", type=float, default=0.002)
    p.add_argument("--hidden-lr", type=float, default=0.02)
    p.add_argument("--loss-soft-clip", type=float, default=30.0)
    p.add_argument("--log-interval", type=int, default=50)
    SpeedyDecoder.add_args(p)
    return p


def main():
    args = get_parser().parse_args()
    model_name, arch_fn = ARCH_REGISTRY[args.arch]
    arch_fn(args)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = MODEL_REGISTRY[model_name].build_model(args, dict_size=50257).to(device)
    optimizers = build_optimizers(args, model)
    sched = TrapezoidSchedule(optimizers, args)
    loader = TokenBlockStream(args.data, args.tokens_per_sample, args.batch_size)
    model = torch.compile(model)

    for num_updates in range(args.max_update):
        sched.step_update(num_updates)
        for _ in range(args.update_freq):
            src, tgt = loader.next()
            src, tgt = src.to(device), tgt.to(device)
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device == "cuda"):
                logits = model(src)
            loss = cross_entropy_criterion(logits, tgt, args) / args.update_freq
            loss.backward()
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)
        if num_updates % args.log_interval == 0:
            print(f"| epoch 001 | update {num_updates:05d} | loss {loss.item() * args.update_freq:.4f}")


if __name__ == "__main__":
    main()
