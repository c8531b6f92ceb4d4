# x-transformers style GPT trainer (FineWeb 124M)
# untied in/out embeddings, value residual from the first layer, embedding shortcut,
# orthogonalised momentum for the hidden matrices, Adam for everything else

import os
import glob
import time
from collections import deque

import numpy as np
import torch
import torch.nn.functional as F
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from einops import rearrange

REQUIRED_TORCH = "2.5.0"   # results below were obtained with torch==2.5.0+cu124
assert torch.__version__.startswith(REQUIRED_TORCH), f"expected torch {REQUIRED_TORCH}, got {torch.__version__}"

# helpers

def exists(v):
    return v is not None

def default(v, d):
    return v if exists(v) else d

def pad_to_multiple(n, m = 128):
    return ((n + m - 1) // m) * m

def norm(t):
    return F.rms_norm(t, (t.shape[-1],))

# optimizer

def orthogonalize(G, steps = 5, eps = 1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X /= (X.norm() + eps)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    if G.size(0) > G.size(1):
        X = X.T
    return X

class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr = 0.02, momentum = 0.95, nesterov = True, steps = 5):
        super().__init__(params, dict(lr = lr, momentum = momentum, nesterov = nesterov, steps = steps))
        self.world = int(os.environ['WORLD_SIZE'])
        self.rank = int(os.environ['RANK'])

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group['params']
            flat = torch.zeros(sum(p.numel() for p in params), device = 'cuda', dtype = torch.bfloat16)
            offsets = np.cumsum([0] + [p.numel() for p in params])
            for i, p in enumerate(params):
                if i % self.world != self.rank:
                    continue
                state = self.state[p]
                if 'buf' not in state:
                    state['buf'] = torch.zeros_like(p.grad)
                buf = state['buf'].mul_(group['momentum']).add_(p.grad)
                g = p.grad.add(buf, alpha = group['momentum']) if group['nesterov'] else buf
                g = orthogonalize(g, group['steps'])
                g = g * (max(1., g.size(0) / g.size(1)) ** 0.5)
                flat[offsets[i]:offsets[i + 1]] = g.flatten()
            dist.all_reduce(flat, op = dist.ReduceOp.SUM)
            for i, p in enumerate(params):
                p.add_(flat[offsets[i]:offsets[i + 1]].view_as(p).type_as(p), alpha = -group['lr'])

# positional

class RotaryEmbedding(nn.Module):
    def __init__(self, dim, theta = 10000):
        super().__init__()
        self.register_buffer('inv_freq', 1. / (theta ** (torch.arange(0, dim, 2).float() / dim)), persistent = False)

    def forward(self, n, device):
        t = torch.arange(n, device = device).float()
        freqs = torch.einsum('i,j->ij', t, self.inv_freq)
        return rearrange(freqs.cos(), 'n d -> n 1 d').bfloat16(), rearrange(freqs.sin(), 'n d -> n 1 d').bfloat16()

def apply_rotary(t, cos, sin):
    t1, t2 = rearrange(t, '... (j d) -> j ... d', j = 2)
    return torch.cat((t1 * cos + t2 * sin, t2 * cos - t1 * sin), dim = -1).type_as(t)

# modules

class ReluSquared(nn.Module):
    def forward(self, x):
        return torch.square(F.relu(x))

class FeedForward(nn.Module):
    def __init__(self, dim, mult = 4):
        super().__init__()
        self.proj_in = nn.Linear(dim, dim * mult, bias = False)
        self.act = ReluSquared()
        self.proj_out = nn.Linear(dim * mult, dim, bias = False)
        self.proj_out.weight.data.zero_()

    def forward(self, x):
        return self.proj_out(self.act(self.proj_in(x)))

class Attention(nn.Module):
    def __init__(self, dim, dim_head = 128):
        super().__init__()
        self.heads = dim // dim_head
        self.to_q = nn.Linear(dim, dim, bias = False)
        self.to_k = nn.Linear(dim, dim, bias = False)
        self.to_v = nn.Linear(dim, dim, bias = False)
        self.to_out = nn.Linear(dim, dim, bias = False)
        self.to_out.weight.data.zero_()
        self.rotary = RotaryEmbedding(dim_head)
        self.first_value_mix = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, first_values = None):
        n = x.shape[1]
        q, k, v = (rearrange(f(x), 'b n (h d) -> b n h d', h = self.heads) for f in (self.to_q, self.to_k, self.to_v))
        first_values = default(first_values, v)
        mix = self.first_value_mix
        v = (1. - mix) * v + mix * first_values.view_as(v)
        q, k = norm(q), norm(k)
        cos, sin = self.rotary(n, x.device)
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        out = F.scaled_dot_product_attention(*(rearrange(t, 'b n h d -> b h n d') for t in (q, k, v)), is_causal = True)
        return self.to_out(rearrange(out, 'b h n d -> b n (h d)')), first_values

class Layer(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.attn = Attention(dim)
        self.ff = FeedForward(dim)
        self.embed_mix = nn.Parameter(torch.tensor([1., 0.]))

    def forward(self, x, embed, first_values):
        x = self.embed_mix[0] * x + self.embed_mix[1] * embed
        attn_out, first_values = self.attn(norm(x), first_values)
        x = x + attn_out
        x = x + self.ff(norm(x))
        return x, first_values

class TransformerWrapper(nn.Module):
    def __init__(self, *, num_tokens, dim, depth, logit_cap = 30., cross_skips = True):
        super().__init__()
        num_tokens = pad_to_multiple(num_tokens)
        self.token_emb = nn.Embedding(num_tokens, dim)
        self.layers = nn.ModuleList([Layer(dim) for _ in range(depth)])
        self.half = depth // 2
        # carry the first-half activations over to the second half
        self.cross_skips = cross_skips
        self.cross_gain = nn.Parameter(torch.ones(depth - self.half))
        self.to_logits = nn.Linear(dim, num_tokens, bias = False)
        self.to_logits.weight.data.zero_()
        self.logit_cap = logit_cap

    def forward(self, ids, labels = None):
        x = norm(self.token_emb(ids))
        embed, first_values = x, None
        carried = deque()
        for i, layer in enumerate(self.layers):
            if self.cross_skips and i >= self.half:
                x = x + self.cross_gain[i - self.half] * carried.popleft()
            x, first_values = layer(x, embed, first_values)
            if i < self.half:
                carried.append(x)
        logits = self.to_logits(norm(x))
        logits = self.logit_cap * torch.tanh(logits / self.logit_cap)
        logits = logits.float()
        if not exists(labels):
            return logits
        return F.cross_entropy(rearrange(logits, 'b n c -> (b n) c'), rearrange(labels, 'b n -> (b n)'))

# data

def fetch(pattern, bsz, seq, rank, world):
    for path in sorted(glob.glob(pattern)):
        head = np.fromfile(path, dtype = np.int32, count = 256)
        toks = np.fromfile(path, dtype = np.uint16, offset = 1024, count = int(head[2]))
        span = bsz * seq
        for s in range(rank * span, len(toks) - span - 1, world * span):
            t = torch.from_numpy(toks[s:s + span + 1].astype(np.int64)).cuda()
            yield t[:-1].view(bsz, seq), t[1:].view(bsz, seq)

# main

def main(iters = 3200, warmdown = 914, bsz = 64, seq = 1024, global_bsz = 512):
    dist.init_process_group('nccl')
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ['LOCAL_RANK'])
    torch.cuda.set_device(local)
    from torch.backends.cuda import enable_cudnn_sdp, enable_flash_sdp, enable_math_sdp, enable_mem_efficient_sdp
    enable_cudnn_sdp(True)
    enable_flash_sdp(False)
    enable_mem_efficient_sdp(False)
    enable_math_sdp(False)

    net = TransformerWrapper(num_tokens = 50257, dim = 768, depth = 12).cuda()
    model = DDP(torch.compile(net), device_ids = [local])
    hidden = [p for p in net.layers.parameters()]
    opts = [
        torch.optim.Adam([net.token_emb.weight], lr = 0.3, betas = (0.9, 0.95), fused = True),
        torch.optim.Adam([net.to_logits.weight], lr = 0.002, betas = (0.9, 0.95), fused = True),
        OrthoSGD([p for p in hidden if p.ndim == 2], lr = 0.02, momentum = 0.95),
        torch.optim.Adam([p for p in hidden if p.ndim < 2] + [net.cross_gain], lr = 0.02, betas = (0.9, 0.95), fused = True),
    ]
    schedule = lambda it: 1. if it < iters - warmdown else (iters - it) / warmdown
    scheds = [torch.optim.lr_scheduler.LambdaLR(o, schedule) for o in opts]
    accum = global_bsz // (bsz * world)
    train = fetch(os.environ['NANOGPT_TRAIN_FILES'], bsz, seq, rank, world)
    amp = torch.autocast('cuda', dtype = torch.bfloat16)

    t0 = time.time()
    for it in range(iters + 1):
        if it == iters or it % 125 == 0:
            model.eval()
            val = fetch(os.environ['NANOGPT_VAL_FILES'], bsz, seq, rank, world)
            steps = int(os.environ['NANOGPT_VAL_TOKENS']) // (bsz * seq * world)
            vl = torch.zeros((), device = 'cuda')
            with torch.no_grad(), amp:
                for _ in range(steps):
                    vl += model(*next(val))
            dist.all_reduce(vl, op = dist.ReduceOp.AVG)
            if rank == 0:
                print(f'it {it} | val {vl.item() / steps:.4f} | {time.time() - t0:.0f}s')
            model.train()
        if it == iters:
            break
        for micro in range(accum):
            model.require_backward_grad_sync = micro == accum - 1
            with amp:
                loss = model(*next(train))
            (loss / accum).backward()
        # per-tensor clipping: shrink any gradient whose norm exceeds 1
        for p in model.parameters():
            p.grad.mul_(torch.clamp(1.0 / (p.grad.norm() + 1e-6), max = 1.0))
        ramp = min(it / 500, 1)
        opts[2].param_groups[0]['momentum'] = 0.85 + ramp * 0.10
        for o, s in zip(opts, scheds):
            o.step()
            s.step()
        model.zero_grad(set_to_none = True)
        if rank == 0:
            print(f'it {it} | loss {loss.item():.4f} | {time.time() - t0:.0f}s')
    dist.destroy_process_group()

if __name__ == '__main__':
    main()
