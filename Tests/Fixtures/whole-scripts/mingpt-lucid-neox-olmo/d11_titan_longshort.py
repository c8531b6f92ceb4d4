# torchtitan-flavoured trainer: JobConfig sections, llama-style module names, freqs_cis RoPE.
# Dense SDPA with per-layer local windows (two window sizes), FP8 output projection.
import os
import glob
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch import Tensor


@dataclass
class ModelArgs:
    dim: int = 768
    n_layers: int = 12
    n_heads: int = 6
    vocab_size: int = 50257
    eos_id: int = 50256
    window: int = 1024
    attn_scale: float = 0.12
    no_attn_layer: int = 7
    max_seq_len: int = 8192


@dataclass
class TrainingArgs:
    batch_size: int = 24          # rows per rank
    seq_len: int = 2048           # 24 * 2048 = 48K tokens per rank
    val_seq_len: int = 4 * 2048
    steps: int = 1770
    cooldown_frac: float = 0.4
    val_every: int = 125


@dataclass
class JobConfig:
    model: ModelArgs = field(default_factory=ModelArgs)
    training: TrainingArgs = field(default_factory=TrainingArgs)


# ------------------------------------------------------------------ fp8 output matmul
class FP8Matmul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: Tensor, w: Tensor, x_s: float, w_s: float, g_s: float):
        xq, wq = (x * x_s).to(torch.float8_e4m3fn), (w * w_s).to(torch.float8_e4m3fn)
        inv = lambda s: torch.tensor(1.0 / s, device=x.device, dtype=torch.float32)
        out = torch._scaled_mm(xq, wq.t(), out_dtype=torch.bfloat16, scale_a=inv(x_s), scale_b=inv(w_s), use_fast_accum=True)
        ctx.save_for_backward(xq, wq)
        ctx.s = (x_s, w_s, g_s)
        return out

    @staticmethod
    def backward(ctx, g: Tensor):
        xq, wq = ctx.saved_tensors
        x_s, w_s, g_s = ctx.s
        inv = lambda s: torch.tensor(1.0 / s, device=g.device, dtype=torch.float32)
        gq = (g * g_s).to(torch.float8_e5m2)
        gx = torch._scaled_mm(gq, wq.t().contiguous().t(), out_dtype=torch.bfloat16, scale_a=inv(g_s), scale_b=inv(w_s))
        gw = torch._scaled_mm(xq.t().contiguous(), gq.t().contiguous().t(), out_dtype=torch.float32,
                              scale_a=inv(x_s), scale_b=inv(g_s)).t()
        return gx, gw, None, None, None


class Linear(nn.Linear):
    """fp32 parameter, computed in the input dtype; optional fp8 path while training."""

    def __init__(self, d_in, d_out, fp8_scales=None):
        super().__init__(d_in, d_out, bias=False)
        self.fp8_scales = fp8_scales

    def reset_parameters(self):
        a = (3.0 ** 0.5) * 0.5 / self.in_features ** 0.5
        nn.init.uniform_(self.weight, -a, a)

    def forward(self, x):
        if self.fp8_scales is not None and self.training:
            y = FP8Matmul.apply(x.reshape(-1, x.size(-1)).contiguous(), self.weight, *self.fp8_scales)
            return y.view(*x.shape[:-1], -1)
        return F.linear(x, self.weight.to(x.dtype))


# ------------------------------------------------------------------ model
def precompute_freqs_cis(head_dim: int, end: int) -> Tensor:
    q = head_dim // 4
    freqs = torch.cat([torch.pow(1024.0, -torch.linspace(0, 1, q)), torch.zeros(q)])
    angles = torch.outer(torch.arange(end, dtype=torch.float32), freqs)
    return torch.polar(torch.ones_like(angles), angles)  # complex64, (end, head_dim // 2)


def apply_rotary_emb(x: Tensor, freqs_cis: Tensor) -> Tensor:
    xc = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
    out = torch.view_as_real(xc * freqs_cis[None, :x.size(1), None, :]).flatten(-2)
    return out.type_as(x)


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


class Attention(nn.Module):
    def __init__(self, a: ModelArgs):
        super().__init__()
        self.n_heads, self.head_dim, self.scale = a.n_heads, a.dim // a.n_heads, a.attn_scale
        bound = (3.0 ** 0.5) * 0.5 / a.dim ** 0.5
        self.wqkv = nn.Parameter(torch.empty(3, a.dim, a.dim).uniform_(-bound, bound))
        self.wo = Linear(a.dim, a.dim)
        nn.init.zeros_(self.wo.weight)
        self.v_weights = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, freqs_cis, mask, v_embed):
        bs, T, _ = x.shape
        xq, xk, xv = F.linear(x, self.wqkv.flatten(0, 1).to(x.dtype)).view(bs, T, 3, self.n_heads, self.head_dim).unbind(2)
        xq, xk = apply_rotary_emb(rms(xq), freqs_cis), apply_rotary_emb(rms(xk), freqs_cis)
        xv = self.v_weights[0] * xv
        if v_embed is not None:
            xv = xv + self.v_weights[1] * v_embed.view_as(xv)
        out = F.scaled_dot_product_attention(xq.transpose(1, 2), xk.transpose(1, 2), xv.transpose(1, 2),
                                             attn_mask=mask, scale=self.scale)
        return self.wo(out.transpose(1, 2).reshape(bs, T, -1))


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.w1, self.w2 = Linear(dim, 4 * dim), Linear(4 * dim, dim)
        nn.init.zeros_(self.w2.weight)

    def forward(self, x):
        return self.w2(F.relu(self.w1(x)).square())


class TransformerBlock(nn.Module):
    def __init__(self, layer_id: int, a: ModelArgs):
        super().__init__()
        self.attention = Attention(a) if layer_id != a.no_attn_layer else None
        self.feed_forward = FeedForward(a.dim)
        self.resid_weights = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, h, h_embed, freqs_cis, mask, v_embed):
        h = self.resid_weights[0] * h + self.resid_weights[1] * h_embed
        if self.attention is not None:
            h = h + self.attention(rms(h), freqs_cis, mask, v_embed)
        return h + self.feed_forward(rms(h))


class Transformer(nn.Module):
    def __init__(self, a: ModelArgs):
        super().__init__()
        self.a = a
        padded = 128 * ((a.vocab_size + 127) // 128)
        self.tok_embeddings = nn.Embedding(a.vocab_size, a.dim)
        self.value_embeddings = nn.ModuleList(nn.Embedding(a.vocab_size, a.dim) for _ in range(3))
        self.layers = nn.ModuleList(TransformerBlock(i, a) for i in range(a.n_layers))
        self.skip_weights = nn.Parameter(torch.ones(a.n_layers // 2))
        self.output = Linear(a.dim, padded, fp8_scales=(2.0, 512.0, 2.0 ** 19))
        nn.init.zeros_(self.output.weight)
        self.register_buffer("freqs_cis", precompute_freqs_cis(a.dim // a.n_heads, a.max_seq_len), persistent=False)

    def masks(self, tokens):
        T = tokens.size(1)
        i = torch.arange(T, device=tokens.device)
        dist_ = i[:, None] - i[None, :]
        doc = (tokens == self.a.eos_id).cumsum(1)
        same = (doc[:, :, None] == doc[:, None, :]) & (dist_ >= 0)
        wide = same & (dist_ < self.a.window)
        narrow = same & (dist_ < self.a.window // 2)
        return wide[:, None], narrow[:, None]

    def forward(self, tokens, labels):
        wide, narrow = self.masks(tokens)
        h = h_embed = rms(self.tok_embeddings(tokens))
        vemb = [e(tokens) for e in self.value_embeddings]
        n = self.a.n_layers
        v_per_layer = vemb + [None] * (n - 6) + vemb
        enc_masks = [wide, narrow, narrow, narrow, wide, narrow]
        layer_masks = enc_masks + enc_masks[::-1]
        stack = []
        for i, layer in enumerate(self.layers):
            if i >= n // 2:
                h = h + self.skip_weights[i - n // 2] * stack.pop()
            h = layer(h, h_embed, self.freqs_cis, layer_masks[i], v_per_layer[i])
            if i < n // 2:
                stack.append(h)
        logits = self.output(rms(h)).float()
        logits = 30.0 / (1.0 + torch.exp(-logits / 7.5))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))


# ------------------------------------------------------------------ optimizer
def ns5(G: Tensor, steps: int = 5) -> Tensor:
    X = G.bfloat16()
    flip = G.size(-2) > G.size(-1)
    if flip:
        X = X.transpose(-2, -1)
    X = X / (torch.linalg.matrix_norm(X, keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.transpose(-2, -1)
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.transpose(-2, -1) if flip else X


class OrthoShard(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        params = list(params)
        self.rank, self.ws = dist.get_rank(), dist.get_world_size()
        groups = [dict(params=[p for p in params if p.numel() == n],
                       out=torch.empty(self.ws, n, dtype=torch.bfloat16, device="cuda")) for n in {p.numel() for p in params}]
        super().__init__(groups, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            ps, out, mu = g["params"], g["out"], g["momentum"]
            for i in range(0, len(ps), self.ws):
                if i + self.rank < len(ps):
                    p = ps[i + self.rank]
                    m = self.state[p].setdefault("m", torch.zeros_like(p.grad))
                    m.lerp_(p.grad, 1 - mu)
                    mine = ns5(p.grad.lerp_(m, mu)).flatten()
                else:
                    mine = out[self.rank].clone()
                dist.all_gather_into_tensor(out, mine)
                for p, u in zip(ps[i:i + self.ws], out):
                    p.add_(u.view_as(p), alpha=-g["lr"] * max(1.0, p.size(-2) / p.size(-1)) ** 0.5)


# ------------------------------------------------------------------ data / loop
def batches(pattern, B, T, rank, ws):
    for path in sorted(glob.glob(pattern)):
        toks = np.memmap(path, dtype=np.uint16, mode="r", offset=1024)
        n = B * T
        for s in range(rank * n, len(toks) - ws * n - 1, ws * n):
            t = torch.from_numpy(toks[s:s + n + 1].astype(np.int64)).cuda()
            yield t[:-1].view(B, T), t[1:].view(B, T)


def main(job: JobConfig):
    dist.init_process_group("nccl")
    rank, ws = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    tr = job.training
    job.model.max_seq_len = max(tr.seq_len, tr.val_seq_len)
    model = Transformer(job.model).cuda()
    for m in model.modules():
        if isinstance(m, nn.Embedding):
            m.to(torch.bfloat16)
    for p in model.parameters():
        dist.broadcast(p.detach(), src=0)
    hidden = [p for p in model.layers.parameters() if p.ndim >= 2]
    embeds = [model.tok_embeddings.weight, *model.value_embeddings.parameters()]
    gains = [p for p in model.parameters() if p.ndim < 2]
    adam = torch.optim.Adam([{"params": embeds, "lr": 0.6}, {"params": [model.output.weight], "lr": 0.008},
                             {"params": gains, "lr": 0.04}], betas=(0.9, 0.8), eps=1e-10, fused=True)
    ortho = OrthoShard(hidden, lr=0.05, momentum=0.95)
    opts = [adam, ortho]

    def lr_mult(step):
        w = min((1 - step / tr.steps) / tr.cooldown_frac, 1.0)
        return 0.1 + 0.9 * w

    scheds = [torch.optim.lr_scheduler.LambdaLR(o, lr_mult) for o in opts]
    cmodel = torch.compile(model)
    train = batches(os.environ["NANOGPT_TRAIN_FILES"], tr.batch_size, tr.seq_len, rank, ws)
    t0 = time.perf_counter()
    for step in range(tr.steps + 1):
        if step % tr.val_every == 0 or step == tr.steps:
            cmodel.eval()
            vb = tr.batch_size * tr.seq_len // tr.val_seq_len
            nv = int(os.environ["NANOGPT_VAL_TOKENS"]) // (vb * tr.val_seq_len * ws)
            it = batches(os.environ["NANOGPT_VAL_FILES"], vb, tr.val_seq_len, rank, ws)
            with torch.no_grad():
                vl = sum(cmodel(*next(it)) for _ in range(nv)) / nv
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step {step} | val_loss {vl.item():.4f} | {time.perf_counter() - t0:.1f}s")
            cmodel.train()
        if step == tr.steps:
            break
        loss = cmodel(*next(train))
        loss.backward()
        for p in model.parameters():
            dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
        frac = min(step / 300, 1.0)
        for g in ortho.param_groups:
            g["momentum"] = 0.85 + 0.10 * frac
        for o, s in zip(opts, scheds):
            o.step()
            s.step()
        model.zero_grad(set_to_none=True)
        if rank == 0:
            print(f"step {step + 1} | loss {loss.item():.4f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main(JobConfig())
