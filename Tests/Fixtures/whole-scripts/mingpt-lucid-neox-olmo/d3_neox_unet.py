# coding=utf-8
# GPT-NeoX-style pretraining script (single file, tensor-parallel size 1).
# Parallel linear layers are re-implemented locally so the file has no megatron dependency.
import os
import glob
import time
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP


def parse_args():
    p = argparse.ArgumentParser(description="neox-lite")
    g = p.add_argument_group("model")
    g.add_argument("--num-layers", type=int, default=12)
    g.add_argument("--hidden-size", type=int, default=768)
    g.add_argument("--num-attention-heads", type=int, default=6)
    g.add_argument("--seq-length", type=int, default=1024)
    g.add_argument("--padded-vocab-size", type=int, default=None)
    g.add_argument("--make-vocab-size-divisible-by", type=int, default=128)
    g.add_argument("--rotary-pct", type=float, default=0.25)
    g.add_argument("--rotary-emb-base", type=float, default=10000.0)
    g.add_argument("--output-logit-cap", type=float, default=30.0)
    g = p.add_argument_group("training")
    g.add_argument("--micro-batch-size", type=int, default=64)
    g.add_argument("--global-batch-size", type=int, default=512)
    g.add_argument("--train-iters", type=int, default=3000)
    g.add_argument("--lr-warmup-iters", type=int, default=0)
    g.add_argument("--lr-warmdown-iters", type=int, default=900)
    g.add_argument("--embedding-lr", type=float, default=0.6)
    g.add_argument("--output-lr", type=float, default=0.008)
    g.add_argument("--matrix-lr", type=float, default=0.04)
    g.add_argument("--gain-lr", type=float, default=0.04)
    g.add_argument("--adam-beta1", type=float, default=0.9)
    g.add_argument("--adam-beta2", type=float, default=0.95)
    g.add_argument("--ns-momentum", type=float, default=0.95)
    g.add_argument("--ns-momentum-start", type=float, default=0.85)
    g.add_argument("--ns-momentum-warmup", type=int, default=500)
    g.add_argument("--ns-steps", type=int, default=5)
    g = p.add_argument_group("data / logging")
    g.add_argument("--train-data-path", type=str, default=os.environ.get("NANOGPT_TRAIN_FILES"))
    g.add_argument("--valid-data-path", type=str, default=os.environ.get("NANOGPT_VAL_FILES"))
    g.add_argument("--eval-tokens", type=int, default=int(os.environ.get("NANOGPT_VAL_TOKENS", 10485760)))
    g.add_argument("--eval-interval", type=int, default=125)
    g.add_argument("--log-interval", type=int, default=1)
    g.add_argument("--seed", type=int, default=1234)
    args = p.parse_args()
    if args.padded_vocab_size is None:
        m = args.make_vocab_size_divisible_by
        args.padded_vocab_size = ((50257 + m - 1) // m) * m
    return args


# ----------------------------------------------------------------------------- mpu stubs
def get_tensor_model_parallel_world_size():
    return 1


class ColumnParallelLinear(nn.Module):
    """Y = X A^T, A split along its output dim (trivially, tp=1). Weight kept fp32, cast on use."""

    def __init__(self, input_size, output_size, init_method=None):
        super().__init__()
        self.output_size_per_partition = output_size // get_tensor_model_parallel_world_size()
        self.weight = nn.Parameter(torch.empty(self.output_size_per_partition, input_size))
        (init_method or nn.init.xavier_uniform_)(self.weight)

    def forward(self, x):
        return F.linear(x, self.weight.to(dtype=x.dtype))


class RowParallelLinear(ColumnParallelLinear):
    """Same math; the all-reduce over the input split is a no-op at tp=1."""


def zeros_init_(w):
    return nn.init.zeros_(w)


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


# ----------------------------------------------------------------------------- rotary (partial)
class RotaryEmbedding(nn.Module):
    def __init__(self, dim, base):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim)), persistent=False)
        self.cached = (0, None, None)

    def forward(self, seq_len, device):
        if self.cached[0] != seq_len:
            t = torch.arange(seq_len, device=device, dtype=torch.float32)
            freqs = torch.outer(t, self.inv_freq.to(device))
            emb = torch.cat((freqs, freqs), dim=-1)
            self.cached = (seq_len, emb.cos()[None, :, None, :], emb.sin()[None, :, None, :])
        return self.cached[1], self.cached[2]


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(x, cos, sin, rot_dim):
    x_rot, x_pass = x[..., :rot_dim], x[..., rot_dim:]
    x_rot = (x_rot * cos + rotate_half(x_rot) * sin).type_as(x)
    return torch.cat((x_rot, x_pass), dim=-1)


# ----------------------------------------------------------------------------- transformer
class ParallelSelfAttention(nn.Module):
    def __init__(self, args, layer_number):
        super().__init__()
        h = args.hidden_size
        self.np = args.num_attention_heads
        self.hn = h // self.np
        self.query_key_value = ColumnParallelLinear(h, 3 * h)
        self.dense = RowParallelLinear(h, h, init_method=zeros_init_)
        self.rotary_ndims = int(self.hn * args.rotary_pct)
        self.rotary_emb = RotaryEmbedding(self.rotary_ndims, args.rotary_emb_base)
        self.v_first_gate = nn.Parameter(torch.tensor(0.5))
        self.layer_number = layer_number

    def forward(self, x, v_first):
        b, s, _ = x.shape
        mixed = self.query_key_value(x).view(b, s, self.np, 3 * self.hn)
        q, k, v = torch.split(mixed, self.hn, dim=-1)
        if v_first is None:
            v_first = v
        g = self.v_first_gate
        v = v + g * (v_first - v)          # == (1-g)*v + g*v_first
        q, k = rms(q), rms(k)
        cos, sin = self.rotary_emb(s, x.device)
        q = apply_rotary_pos_emb(q, cos, sin, self.rotary_ndims)
        k = apply_rotary_pos_emb(k, cos, sin, self.rotary_ndims)
        ctx = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        ctx = ctx.transpose(1, 2).reshape(b, s, -1)
        return self.dense(ctx), v_first


class ParallelMLP(nn.Module):
    def __init__(self, args):
        super().__init__()
        h = args.hidden_size
        self.dense_h_to_4h = ColumnParallelLinear(h, 4 * h)
        self.dense_4h_to_h = RowParallelLinear(4 * h, h, init_method=zeros_init_)

    def forward(self, x):
        return self.dense_4h_to_h(torch.square(F.relu(self.dense_h_to_4h(x))))


class ParallelTransformerLayer(nn.Module):
    def __init__(self, args, layer_number):
        super().__init__()
        self.attention = ParallelSelfAttention(args, layer_number)
        self.mlp = ParallelMLP(args)
        self.stream_mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, v_first, emb):
        x = self.stream_mix[0] * x + self.stream_mix[1] * emb
        attn_out, v_first = self.attention(rms(x), v_first)
        x = x + attn_out
        x = x + self.mlp(rms(x))
        return x, v_first


class GPTNeoX(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.embed_in = nn.Embedding(args.padded_vocab_size, args.hidden_size)
        self.layers = nn.ModuleList([ParallelTransformerLayer(args, i) for i in range(args.num_layers)])
        self.n_enc = args.num_layers // 2
        self.n_dec = args.num_layers - self.n_enc
        self.skip_gains = nn.Parameter(torch.ones(self.n_dec))
        self.embed_out = ColumnParallelLinear(args.hidden_size, args.padded_vocab_size, init_method=zeros_init_)
        self.cap = args.output_logit_cap

    def forward(self, tokens, labels):
        h = rms(self.embed_in(tokens))
        emb, v_first, stack = h, None, []
        for i in range(self.n_enc):
            h, v_first = self.layers[i](h, v_first, emb)
            stack.append(h)
        for j in range(self.n_dec):
            h = h + self.skip_gains[j] * stack.pop()
            h, v_first = self.layers[self.n_enc + j](h, v_first, emb)
        logits = self.embed_out(rms(h))
        logits = self.cap * torch.tanh(logits / self.cap)
        return F.cross_entropy(logits.float().flatten(0, 1), labels.flatten())


# ----------------------------------------------------------------------------- optimizer
def polar_factor(G, steps):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    tall = G.size(0) > G.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * (A @ A)) @ X
    return X.T if tall else X


class SpectralSGD(torch.optim.Optimizer):
    """Nesterov SGD whose update matrix is replaced by its (approximate) polar factor."""

    def __init__(self, params, lr, momentum, ns_steps, rank, world_size):
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))
        self.rank, self.world_size = rank, world_size

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            ps = group["params"]
            flat = torch.zeros(sum(p.numel() for p in ps), device="cuda", dtype=torch.bfloat16)
            offset = 0
            for i, p in enumerate(ps):
                if i % self.world_size == self.rank:
                    buf = self.state[p].setdefault("mom", torch.zeros_like(p.grad))
                    buf.mul_(group["momentum"]).add_(p.grad)
                    g = p.grad.add(buf, alpha=group["momentum"])
                    if g.size(0) == 3 * g.size(1):
                        # equalise the three row-slabs of the fused projection before the joint iteration
                        g = torch.cat([s / (s.norm() + 1e-7) for s in g.chunk(3)])
                    g = polar_factor(g, group["ns_steps"])
                    g = g * max(1.0, g.size(0) / g.size(1)) ** 0.5
                    flat[offset:offset + p.numel()] = g.flatten()
                offset += p.numel()
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            offset = 0
            for p in ps:
                p.add_(flat[offset:offset + p.numel()].view_as(p).to(p.dtype), alpha=-group["lr"])
                offset += p.numel()


# ----------------------------------------------------------------------------- data
def shard_tokens(path):
    with open(path, "rb") as f:
        header = np.frombuffer(f.read(1024), dtype=np.int32)
        assert header[0] == 20240520
        return np.frombuffer(f.read(), dtype=np.uint16)[: header[2]]


class GPT2Dataset:
    def __init__(self, pattern, micro_bs, seq, rank, world):
        self.paths = sorted(glob.glob(pattern))
        self.mb, self.seq, self.rank, self.world = micro_bs, seq, rank, world
        self.idx, self.toks, self.ptr = -1, None, 0
        self._next_shard()

    def _next_shard(self):
        self.idx = (self.idx + 1) % len(self.paths)
        self.toks = shard_tokens(self.paths[self.idx])
        self.ptr = self.rank * self.mb * self.seq

    def get_batch(self):
        n = self.mb * self.seq
        buf = torch.from_numpy(self.toks[self.ptr:self.ptr + n + 1].astype(np.int64))
        self.ptr += n * self.world
        if self.ptr + n * self.world + 1 > len(self.toks):
            self._next_shard()
        return buf[:-1].view(self.mb, self.seq).cuda(), buf[1:].view(self.mb, self.seq).cuda()


# ----------------------------------------------------------------------------- main
def lr_lambda(args):
    def fn(it):
        if it < args.lr_warmup_iters:
            return (it + 1) / args.lr_warmup_iters
        if it < args.train_iters - args.lr_warmdown_iters:
            return 1.0
        return (args.train_iters - it) / args.lr_warmdown_iters
    return fn


def pretrain(args):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    torch.manual_seed(args.seed)
    from torch.backends.cuda import enable_cudnn_sdp, enable_flash_sdp, enable_math_sdp, enable_mem_efficient_sdp
    enable_cudnn_sdp(True); enable_flash_sdp(False); enable_mem_efficient_sdp(False); enable_math_sdp(False)

    model = GPTNeoX(args).cuda().bfloat16()
    for m in model.modules():
        if isinstance(m, ColumnParallelLinear):
            m.float()
    model = DDP(torch.compile(model), device_ids=[int(os.environ["LOCAL_RANK"])])
    core = model.module._orig_mod

    layer_params = list(core.layers.parameters())
    matrices = [p for p in layer_params if p.dim() == 2]
    gains = [p for p in layer_params if p.dim() < 2] + [core.skip_gains]
    betas = (args.adam_beta1, args.adam_beta2)
    opts = [
        torch.optim.Adam([core.embed_in.weight], lr=args.embedding_lr, betas=betas, fused=True),
        torch.optim.Adam([core.embed_out.weight], lr=args.output_lr, betas=betas, fused=True),
        SpectralSGD(matrices, lr=args.matrix_lr, momentum=args.ns_momentum, ns_steps=args.ns_steps, rank=rank, world_size=world),
        torch.optim.Adam(gains, lr=args.gain_lr, betas=betas, fused=True),
    ]
    scheds = [torch.optim.lr_scheduler.LambdaLR(o, lr_lambda(args)) for o in opts]
    accum = args.global_batch_size // (args.micro_batch_size * world)
    train = GPT2Dataset(args.train_data_path, args.micro_batch_size, args.seq_length, rank, world)

    t0 = time.perf_counter()
    for it in range(args.train_iters + 1):
        if it == args.train_iters or it % args.eval_interval == 0:
            model.eval()
            val = GPT2Dataset(args.valid_data_path, args.micro_batch_size, args.seq_length, rank, world)
            steps = args.eval_tokens // (args.micro_batch_size * args.seq_length * world)
            tot = torch.zeros((), device="cuda")
            with torch.no_grad():
                for _ in range(steps):
                    tot += model(*val.get_batch())
            dist.all_reduce(tot, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"iteration {it} | validation loss {tot.item() / steps:.4f} | {time.perf_counter() - t0:.1f}s")
            model.train()
        if it == args.train_iters:
            break
        for micro in range(accum):
            tokens, labels = train.get_batch()
            with model.no_sync() if micro < accum - 1 else torch.enable_grad():
                loss = model(tokens, labels)
                loss.backward()
        for p in model.parameters():
            p.grad /= accum
        ramp = min(it / args.ns_momentum_warmup, 1.0)
        opts[2].param_groups[0]["momentum"] = args.ns_momentum_start + ramp * (args.ns_momentum - args.ns_momentum_start)
        for o, s in zip(opts, scheds):
            o.step()
            s.step()
        model.zero_grad(set_to_none=True)
        if rank == 0 and it % args.log_interval == 0:
            print(f"iteration {it} | lm loss {loss.item():.4f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    pretrain(parse_args())
