# x-transformers flavoured GPT for the 124M FineWeb speedrun
# hidden matrices are trained with an orthogonalised-momentum optimizer (`Orthograd`),
# the shared token embedding / classifier with AdamW

import os
import glob
import math
import time
from functools import partial

import numpy as np
import torch
import torch.nn.functional as F
import torch.distributed as dist
from torch import nn, einsum
from torch.nn.parallel import DistributedDataParallel as DDP
from einops import rearrange

# helpers

def exists(val):
    return val is not None

def default(val, d):
    return val if exists(val) else d

def divisible_by(num, den):
    return (num % den) == 0

def round_up(n, mult):
    return mult * math.ceil(n / mult)

def rms_unit(t, eps = 1e-6):
    return t * torch.rsqrt(t.float().pow(2).mean(dim = -1, keepdim = True) + eps).type_as(t)

# orthogonalisation

def quintic_polar(M, iters = 5, eps = 1e-7):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = M.bfloat16()
    X = X / (X.norm() + eps)
    flip = M.size(0) > M.size(1)
    if flip:
        X = X.T
    for _ in range(iters):
        A = X @ X.T
        AX = A @ X
        X = a * X + b * AX + c * (A @ AX)
    if flip:
        X = X.T
    return X.to(M.dtype)

class Orthograd(torch.optim.Optimizer):
    def __init__(self, params, lr = 3.6e-4, momentum = 0.95, nesterov = True, iters = 5):
        super().__init__(params, dict(lr = lr, momentum = momentum, nesterov = nesterov, iters = iters))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mom = group['lr'], group['momentum']
            for p in group['params']:
                if not exists(p.grad):
                    continue
                g = p.grad
                state = self.state[p]
                if 'buf' not in state:
                    state['buf'] = torch.zeros_like(g)
                buf = state['buf']
                buf.mul_(mom).add_(g)
                upd = g.add(buf, alpha = mom) if group['nesterov'] else buf

                rows, cols = upd.shape
                if rows == 3 * cols:
                    # fused to_qkv: treat q, k and v as three independent matrices
                    upd = torch.cat([quintic_polar(blk, group['iters']) for blk in upd.chunk(3, dim = 0)], dim = 0)
                    gain = cols ** 0.5
                else:
                    upd = quintic_polar(upd, group['iters'])
                    gain = max(rows, cols) ** 0.5
                p.add_(upd, alpha = -lr * gain)

# rotary

class RotaryEmbedding(nn.Module):
    def __init__(self, dim, theta = 10000):
        super().__init__()
        inv_freq = 1. / (theta ** (torch.arange(0, dim, 2).float() / dim))
        self.register_buffer('inv_freq', inv_freq, persistent = False)

    def forward(self, seq_len, device):
        t = torch.arange(seq_len, device = device).type_as(self.inv_freq)
        freqs = einsum('i , j -> i j', t, self.inv_freq)
        return freqs.cos(), freqs.sin()

def rotate_half_apply(t, cos, sin):
    # t: b h n d ; cos/sin: n d/2
    t1, t2 = t.chunk(2, dim = -1)
    cos, sin = map(lambda f: rearrange(f, 'n d -> 1 1 n d'), (cos, sin))
    out = torch.cat((t1 * cos - t2 * sin, t1 * sin + t2 * cos), dim = -1)
    return out.type_as(t)

# building blocks

class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x, **kwargs):
        return self.fn(x, **kwargs) + x

class PreNorm(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x, **kwargs):
        return self.fn(F.rms_norm(x, (x.shape[-1],)), **kwargs)

class ReluSquared(nn.Module):
    def forward(self, x):
        return F.relu(x) ** 2

def FeedForward(dim, mult = 4):
    inner = dim * mult
    out = nn.Linear(inner, dim, bias = False)
    nn.init.zeros_(out.weight)
    return nn.Sequential(nn.Linear(dim, inner, bias = False), ReluSquared(), out)

class Attention(nn.Module):
    def __init__(self, dim, dim_head = 128, heads = None):
        super().__init__()
        heads = default(heads, dim // dim_head)
        assert heads * dim_head == dim
        self.heads = heads
        self.to_qkv = nn.Linear(dim, dim * 3, bias = False)
        self.to_out = nn.Linear(dim, dim, bias = False)
        nn.init.zeros_(self.to_out.weight)
        self.rotary = RotaryEmbedding(dim_head)

    def forward(self, x):
        n = x.shape[1]
        q, k, v = rearrange(self.to_qkv(x), 'b n (three h d) -> three b h n d', three = 3, h = self.heads)
        q, k = map(rms_unit, (q, k))
        cos, sin = self.rotary(n, x.device)
        q, k = map(lambda t: rotate_half_apply(t, cos, sin), (q, k))
        out = F.scaled_dot_product_attention(q, k, v, is_causal = True)
        return self.to_out(rearrange(out, 'b h n d -> b n (h d)'))

class TransformerLM(nn.Module):
    def __init__(self, *, num_tokens, dim, depth, dim_head = 128, emb_scale = True):
        super().__init__()
        self.padded_tokens = round_up(num_tokens, 128)   # 50257 -> 50304
        self.token_emb = nn.Embedding(self.padded_tokens, dim)
        self.emb_scale = dim ** 0.5 if emb_scale else 1.
        self.layers = nn.Sequential(*[
            nn.Sequential(
                Residual(PreNorm(Attention(dim, dim_head = dim_head))),
                Residual(PreNorm(FeedForward(dim)))
            ) for _ in range(depth)
        ])
        self.to_logits = nn.Linear(dim, self.padded_tokens, bias = False)
        self.to_logits.weight = self.token_emb.weight

    def forward(self, x, labels = None):
        x = self.token_emb(x) * self.emb_scale
        x = self.layers(x)
        x = F.rms_norm(x, (x.shape[-1],))
        logits = self.to_logits(x)
        if not exists(labels):
            return logits
        logits = logits.float()
        return F.cross_entropy(rearrange(logits, 'b n c -> (b n) c'), rearrange(labels, 'b n -> (b n)'))

# data

def load_shard(path):
    header = np.fromfile(path, dtype = np.int32, count = 256)
    assert header[0] == 20240520 and header[1] == 1
    return np.fromfile(path, dtype = np.uint16, offset = 256 * 4)[:header[2]]

def token_batches(pattern, batch, seq_len, rank, world):
    files = sorted(glob.glob(pattern))
    while True:
        for f in files:
            toks = load_shard(f)
            step = batch * seq_len
            for start in range(rank * step, len(toks) - step - 1, world * step):
                chunk = torch.from_numpy(toks[start:start + step + 1].astype(np.int64))
                yield chunk[:-1].view(batch, seq_len).cuda(non_blocking = True), chunk[1:].view(batch, seq_len).cuda(non_blocking = True)

# training

def wsd_multiplier(step, total, warmdown):
    # constant from step 0, then a straight line down to zero
    if step < total - warmdown:
        return 1.
    return (total - step) / warmdown

def main():
    dist.init_process_group('nccl')
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ.get('LOCAL_RANK', 0))
    torch.cuda.set_device(local)
    is_main = rank == 0

    seq_len = 1024
    device_batch = 64
    global_batch = 8 * 64                     # sequences
    num_iters = 5100
    warmdown = 1450
    base_lr = 0.0036
    accum = global_batch // (device_batch * world)

    model = TransformerLM(num_tokens = 50257, dim = 768, depth = 12, dim_head = 128).cuda()
    model = torch.compile(model)
    ddp = DDP(model, device_ids = [local])
    raw = ddp.module

    emb_params = [raw.token_emb.weight]
    hidden_params = [p for p in raw.layers.parameters()]
    opt_emb = torch.optim.AdamW(emb_params, lr = base_lr, betas = (0.9, 0.95), weight_decay = 0., fused = True)
    opt_hidden = Orthograd(hidden_params, lr = 0.1 * base_lr, momentum = 0.95)
    optimizers = [opt_emb, opt_hidden]
    scheds = [torch.optim.lr_scheduler.LambdaLR(o, partial(wsd_multiplier, total = num_iters, warmdown = warmdown)) for o in optimizers]

    train_iter = token_batches(os.environ['NANOGPT_TRAIN_FILES'], device_batch, seq_len, rank, world)
    val_pattern = os.environ['NANOGPT_VAL_FILES']
    val_tokens = int(os.environ.get('NANOGPT_VAL_TOKENS', 10485760))

    t0 = time.perf_counter()
    for step in range(num_iters + 1):
        last = step == num_iters
        if last or step % 125 == 0:
            ddp.eval()
            val_iter = token_batches(val_pattern, device_batch, seq_len, rank, world)
            n_val = val_tokens // (device_batch * seq_len * world)
            vloss = torch.zeros((), device = 'cuda')
            with torch.no_grad(), torch.autocast('cuda', dtype = torch.bfloat16):
                for _ in range(n_val):
                    x, y = next(val_iter)
                    vloss += ddp(x, y)
            vloss /= n_val
            dist.all_reduce(vloss, op = dist.ReduceOp.AVG)
            if is_main:
                print(f'step {step} val {vloss.item():.4f} elapsed {time.perf_counter() - t0:.1f}s')
            ddp.train()
        if last:
            break

        for micro in range(accum):
            x, y = next(train_iter)
            ddp.require_backward_grad_sync = micro == accum - 1
            with torch.autocast('cuda', dtype = torch.bfloat16):
                loss = ddp(x, y)
            (loss / accum).backward()

        # slightly lower momentum while the lr is annealed away
        frac_left = min(1., (num_iters - step) / warmdown)
        opt_hidden.param_groups[0]['momentum'] = 0.85 + 0.10 * frac_left

        for opt, sch in zip(optimizers, scheds):
            opt.step()
            sch.step()
        ddp.zero_grad(set_to_none = True)
        if is_main and step % 10 == 0:
            print(f'step {step} loss {loss.item():.4f}')

    dist.destroy_process_group()

if __name__ == '__main__':
    main()
