# Megatron-LM style pretraining entry point (tp=pp=1), FineWeb GPT-2 small.
# Packed rows are masked per document (reset_attention_mask) and attention is
# restricted to fixed-size chunks; the sequence length is warmed up.
import os
import glob
import time
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as torchDDP

_GLOBAL_ARGS = None


def get_args():
    return _GLOBAL_ARGS


def parse_args():
    global _GLOBAL_ARGS
    p = argparse.ArgumentParser("megatron-lite")
    p.add_argument("--num-layers", type=int, default=12)
    p.add_argument("--hidden-size", type=int, default=768)
    p.add_argument("--num-attention-heads", type=int, default=6)
    p.add_argument("--seq-length", type=int, default=4096)
    p.add_argument("--seq-length-warmup-start", type=int, default=512)
    p.add_argument("--seq-length-warmup-iters", type=int, default=1200)
    p.add_argument("--tokens-per-device", type=int, default=64 * 1024)
    p.add_argument("--train-iters", type=int, default=3000)
    p.add_argument("--lr-warmup-iters", type=int, default=0)
    p.add_argument("--lr-decay-iters", type=int, default=900, help="length of the final linear decay")
    p.add_argument("--lr-embed", type=float, default=0.6)
    p.add_argument("--lr-output", type=float, default=0.008)
    p.add_argument("--lr-hidden", type=float, default=0.04)
    p.add_argument("--lr-scalar", type=float, default=0.04)
    p.add_argument("--adam-beta1", type=float, default=0.9)
    p.add_argument("--adam-beta2", type=float, default=0.95)
    p.add_argument("--ortho-momentum", type=float, default=0.95)
    p.add_argument("--ortho-momentum-warmup-iters", type=int, default=500)
    p.add_argument("--make-vocab-size-divisible-by", type=int, default=128)
    p.add_argument("--vocab-size", type=int, default=50257)
    p.add_argument("--eod-token", type=int, default=50256)
    p.add_argument("--reset-attention-mask", action="store_true", default=True)
    p.add_argument("--attention-chunk-size", type=int, default=1024)
    p.add_argument("--rotary-base", type=float, default=10000.0)
    p.add_argument("--output-softcap", type=float, default=30.0)
    p.add_argument("--eval-interval", type=int, default=125)
    p.add_argument("--data-path", default=os.environ.get("NANOGPT_TRAIN_FILES"))
    p.add_argument("--valid-data-path", default=os.environ.get("NANOGPT_VAL_FILES"))
    args = p.parse_args()
    m = args.make_vocab_size_divisible_by
    args.padded_vocab_size = ((args.vocab_size + m - 1) // m) * m
    _GLOBAL_ARGS = args
    return args


# ---------------------------------------------------------------- tensor parallel stand-ins
class ColumnParallelLinear(nn.Module):
    def __init__(self, in_f, out_f, init_method=nn.init.xavier_normal_):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_f, in_f))
        init_method(self.weight)

    def forward(self, x):
        return F.linear(x, self.weight)


class RowParallelLinear(ColumnParallelLinear):
    pass


def init_zero(w):
    nn.init.zeros_(w)


def unit_rms(x):
    return F.rms_norm(x, (x.shape[-1],))


# ---------------------------------------------------------------- masks / positions
def get_ltor_masks(tokens, eod, chunk):
    """tokens: (b, s). returns bool mask (b, 1, s, s), True = attend."""
    b, s = tokens.shape
    pos = torch.arange(s, device=tokens.device)
    causal = pos[:, None] >= pos[None, :]
    same_chunk = (pos[:, None] // chunk) == (pos[None, :] // chunk)
    mask = (causal & same_chunk)[None].expand(b, s, s)
    if get_args().reset_attention_mask:
        doc = (tokens == eod).cumsum(dim=1)
        mask = mask & (doc[:, :, None] == doc[:, None, :])
    return mask[:, None]


class RotaryEmbedding(nn.Module):
    def __init__(self, kv_channels, base):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (base ** (torch.arange(0, kv_channels, 2, dtype=torch.float32) / kv_channels)), persistent=False)

    def forward(self, s, device):
        freqs = torch.outer(torch.arange(s, device=device, dtype=torch.float32), self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb[None, None]  # [1, 1, s, d]


def apply_rotary_pos_emb(t, freqs):
    t1, t2 = torch.chunk(t, 2, dim=-1)
    rot = torch.cat((-t2, t1), dim=-1)
    return (t * freqs.cos() + rot * freqs.sin()).to(t.dtype)


# ---------------------------------------------------------------- model
class ParallelAttention(nn.Module):
    def __init__(self, args):
        super().__init__()
        h = args.hidden_size
        self.heads, self.kv_channels = args.num_attention_heads, h // args.num_attention_heads
        self.query = ColumnParallelLinear(h, h)
        self.key_value = ColumnParallelLinear(h, 2 * h)
        self.dense = RowParallelLinear(h, h, init_method=init_zero)
        self.rotary = RotaryEmbedding(self.kv_channels, args.rotary_base)
        self.v1_coef = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, mask, v1):
        b, s, _ = x.shape
        q = self.query(x).view(b, s, self.heads, self.kv_channels).transpose(1, 2)
        k, v = self.key_value(x).view(b, s, self.heads, 2 * self.kv_channels).transpose(1, 2).chunk(2, dim=-1)
        v1 = v if v1 is None else v1
        v = (1 - self.v1_coef) * v + self.v1_coef * v1
        freqs = self.rotary(s, x.device)
        q, k = apply_rotary_pos_emb(unit_rms(q), freqs), apply_rotary_pos_emb(unit_rms(k), freqs)
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.dense(ctx.transpose(1, 2).reshape(b, s, -1)), v1


class ParallelMLP(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.dense_h_to_4h = ColumnParallelLinear(args.hidden_size, 4 * args.hidden_size)
        self.dense_4h_to_h = RowParallelLinear(4 * args.hidden_size, args.hidden_size, init_method=init_zero)

    def forward(self, x):
        a = torch.relu(self.dense_h_to_4h(x))
        return self.dense_4h_to_h(a * a)


class ParallelTransformerLayer(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.self_attention = ParallelAttention(args)
        self.mlp = ParallelMLP(args)
        self.input_mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x_embed, mask, v1):
        x = self.input_mix[0] * x + self.input_mix[1] * x_embed
        a, v1 = self.self_attention(unit_rms(x), mask, v1)
        x = x + a
        return x + self.mlp(unit_rms(x)), v1


class GPTModel(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.args = args
        self.word_embeddings = nn.Embedding(args.padded_vocab_size, args.hidden_size)
        self.layers = nn.ModuleList([ParallelTransformerLayer(args) for _ in range(args.num_layers)])
        self.num_enc = args.num_layers // 2
        self.skip_coef = nn.Parameter(torch.ones(args.num_layers - self.num_enc))
        self.output_layer = ColumnParallelLinear(args.hidden_size, args.padded_vocab_size, init_method=init_zero)

    def forward(self, tokens, labels):
        mask = get_ltor_masks(tokens, self.args.eod_token, self.args.attention_chunk_size)
        h = x_embed = unit_rms(self.word_embeddings(tokens))
        v1, hist = None, []
        for i, layer in enumerate(self.layers):
            if i >= self.num_enc:
                h = h + self.skip_coef[i - self.num_enc] * hist.pop()
            h, v1 = layer(h, x_embed, mask, v1)
            if i < self.num_enc:
                hist.append(h)
        logits = self.output_layer(unit_rms(h)).float()
        cap = self.args.output_softcap
        logits = cap * torch.tanh(logits / cap)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))


# ---------------------------------------------------------------- optimizer
def polar(G, steps=5):
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    tr = X.size(0) > X.size(1)
    if tr:
        X = X.t()
    for _ in range(steps):
        A = X @ X.t()
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.t() if tr else X


class DistributedOrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        rank, ws = dist.get_rank(), dist.get_world_size()
        for group in self.param_groups:
            ps = group["params"]
            sizes = [p.numel() for p in ps]
            flat = torch.zeros(sum(sizes), dtype=torch.bfloat16, device="cuda")
            starts = np.concatenate([[0], np.cumsum(sizes)])
            for i, p in enumerate(ps):
                if i % ws == rank:
                    m = self.state[p].setdefault("m", torch.zeros_like(p.grad))
                    m.mul_(group["momentum"]).add_(p.grad)
                    u = polar(p.grad + group["momentum"] * m)
                    u *= max(1.0, u.size(0) / u.size(1)) ** 0.5
                    flat[starts[i]:starts[i + 1]] = u.reshape(-1)
            dist.all_reduce(flat)
            for i, p in enumerate(ps):
                p.sub_(group["lr"] * flat[starts[i]:starts[i + 1]].view_as(p).to(p.dtype))


# ---------------------------------------------------------------- data
def build_train_valid_iterators(pattern, rank, ws):
    def it(seq_fn):
        step = 0
        for path in sorted(glob.glob(pattern)):
            toks = np.memmap(path, dtype=np.uint16, mode="r", offset=1024)
            pos = 0
            while True:
                T = seq_fn(step)
                n = get_args().tokens_per_device
                if pos + ws * n + 1 > len(toks):
                    break
                chunk = torch.from_numpy(np.array(toks[pos + rank * n: pos + rank * n + n + 1], dtype=np.int64)).cuda()
                yield chunk[:-1].view(n // T, T), chunk[1:].view(n // T, T)
                pos += ws * n
                step += 1
    return it


def seq_len_at(args):
    def fn(it):
        frac = min(it / args.seq_length_warmup_iters, 1.0)
        s = args.seq_length_warmup_start + frac * (args.seq_length - args.seq_length_warmup_start)
        return int(s // args.seq_length_warmup_start) * args.seq_length_warmup_start
    return fn


def pretrain():
    args = parse_args()
    dist.init_process_group("nccl")
    rank, ws = dist.get_rank(), dist.get_world_size()
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)
    model = GPTModel(args).cuda()
    ddp = torchDDP(torch.compile(model, dynamic=True), device_ids=[local])
    hidden = list(model.layers.parameters())
    betas = (args.adam_beta1, args.adam_beta2)
    opts = [torch.optim.Adam([model.word_embeddings.weight], lr=args.lr_embed, betas=betas, fused=True),
            torch.optim.Adam([model.output_layer.weight], lr=args.lr_output, betas=betas, fused=True),
            DistributedOrthoSGD([p for p in hidden if p.ndim == 2], lr=args.lr_hidden, momentum=args.ortho_momentum),
            torch.optim.Adam([p for p in hidden if p.ndim < 2] + [model.skip_coef], lr=args.lr_scalar, betas=betas, fused=True)]
    decay_start = args.train_iters - args.lr_decay_iters
    lr_fn = lambda it: 1.0 if it < decay_start else (args.train_iters - it) / args.lr_decay_iters
    scheds = [torch.optim.lr_scheduler.LambdaLR(o, lr_fn) for o in opts]
    seq_fn = seq_len_at(args)
    train = build_train_valid_iterators(args.data_path, rank, ws)(seq_fn)
    t0 = time.time()
    for it in range(args.train_iters + 1):
        if it % args.eval_interval == 0 or it == args.train_iters:
            ddp.eval()
            val = build_train_valid_iterators(args.valid_data_path, rank, ws)(lambda _: args.seq_length)
            nv = int(os.environ["NANOGPT_VAL_TOKENS"]) // (args.tokens_per_device * ws)
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                vl = sum(ddp(*next(val)) for _ in range(nv)) / nv
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f" iteration {it:6d} | validation lm loss {vl.item():.4f} | elapsed {time.time() - t0:.0f}s")
            ddp.train()
        if it == args.train_iters:
            break
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = ddp(*next(train))
        loss.backward()
        warm = min(it / args.ortho_momentum_warmup_iters, 1.0)
        opts[2].param_groups[0]["momentum"] = 0.85 * (1 - warm) + args.ortho_momentum * warm
        for o, s in zip(opts, scheds):
            o.step()
            s.step()
        ddp.zero_grad(set_to_none=True)
        if rank == 0 and it % 10 == 0:
            print(f" iteration {it:6d} | lm loss {loss.item():.4f} | seq {seq_fn(it)}")
    dist.destroy_process_group()


if __name__ == "__main__":
    pretrain()
