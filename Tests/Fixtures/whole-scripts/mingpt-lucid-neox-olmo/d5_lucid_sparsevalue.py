# lucidrains-style rewrite of a late FineWeb speedrun configuration
# local / global attention, sparse token-value tables, orthogonalised momentum

import os
import glob
import time

import torch
import torch.nn.functional as F
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.nn.attention.flex_attention import BlockMask, flex_attention
from einops import rearrange

# helpers

def exists(v):
    return v is not None

def default(v, d):
    return v if exists(v) else d

def rmsnorm(t):
    return F.rms_norm(t, t.shape[-1:])

# newton-schulz polar factor

def polar_express(G, steps = 5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    transpose = G.size(0) > G.size(1)
    if transpose:
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    return X.T if transpose else X

class ShardedOrtho(torch.optim.Optimizer):
    def __init__(self, params, lr = 0.05, momentum = 0.95, nesterov = True):
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        params = list(params)
        groups = []
        for numel in {p.numel() for p in params}:
            flat = torch.empty(self.world, numel, dtype = torch.bfloat16, device = 'cuda')
            groups.append(dict(params = [p for p in params if p.numel() == numel], flat = flat, views = list(flat.unbind(0))))
        super().__init__(groups, dict(lr = lr, momentum = momentum, nesterov = nesterov))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mom, views = group['lr'], group['momentum'], group['views']
            params = group['params']
            inflight = None

            def land(prev, work):
                if not exists(prev):
                    return
                work.wait()
                for p, u in zip(prev, views):
                    p.add_(u.view_as(p), alpha = -lr * max(1, p.size(0) / p.size(1)) ** 0.5)

            work = None
            for i in range(0, len(params), self.world):
                if i + self.rank < len(params):
                    p = params[i + self.rank]
                    state = self.state[p]
                    if 'mom' not in state:
                        state['mom'] = torch.zeros_like(p.grad)
                    state['mom'].lerp_(p.grad, 1 - mom)
                    g = p.grad.lerp_(state['mom'], mom) if group['nesterov'] else state['mom']
                    g = polar_express(g).flatten()
                else:
                    g = views[self.rank]
                land(inflight, work)
                work = dist.all_gather(views, g, async_op = True)
                inflight = params[i:i + self.world]
            land(inflight, work)

# modules

class Linear32(nn.Linear):
    def __init__(self, dim_in, dim_out, zero_init = False):
        super().__init__(dim_in, dim_out, bias = False)
        if zero_init:
            nn.init.zeros_(self.weight)

    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))

class HalfRoPE(nn.Module):
    def __init__(self, dim_head, max_len = 65536):
        super().__init__()
        quarter = dim_head // 4
        freqs = (1 / 1024) ** torch.linspace(0, 1, steps = quarter, dtype = torch.float32)
        freqs = torch.cat((freqs, torch.zeros(quarter)))
        theta = torch.outer(torch.arange(max_len, dtype = torch.float32), freqs)
        self.register_buffer('cos', theta.cos(), persistent = False)
        self.register_buffer('sin', theta.sin(), persistent = False)

    def forward(self, t):
        n = t.shape[-3]
        cos, sin = (rearrange(f[:n], 'n d -> 1 n 1 d') for f in (self.cos, self.sin))
        u, w = t.float().chunk(2, dim = -1)
        return torch.cat((u * cos + w * sin, w * cos - u * sin), dim = -1).type_as(t)

class ReluSquared(nn.Module):
    def forward(self, x):
        return F.relu(x).square()

def FeedForward(dim, mult = 4):
    return nn.Sequential(Linear32(dim, dim * mult), ReluSquared(), Linear32(dim * mult, dim, zero_init = True))

class Attention(nn.Module):
    def __init__(self, dim, heads = 6):
        super().__init__()
        self.heads = heads
        self.to_q, self.to_k, self.to_v = Linear32(dim, dim), Linear32(dim, dim), Linear32(dim, dim)
        self.to_out = Linear32(dim, dim, zero_init = True)
        self.value_gates = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.rope = HalfRoPE(dim // heads)

    def forward(self, x, value_emb = None, mask = None):
        q, k, v = (rearrange(fn(x), 'b n (h d) -> b n h d', h = self.heads) for fn in (self.to_q, self.to_k, self.to_v))
        if exists(value_emb):
            v = self.value_gates[0] * v + self.value_gates[1] * value_emb.view_as(v)
        else:
            v = self.value_gates[0] * v
        q, k = self.rope(rmsnorm(q)), self.rope(rmsnorm(k))
        q, k, v = (rearrange(t, 'b n h d -> b h n d') for t in (q, k, v))
        out = flex_attention(q, k, v, block_mask = mask)
        return self.to_out(rearrange(out, 'b h n d -> b n (h d)'))

class Layer(nn.Module):
    def __init__(self, dim, heads, has_attn = True):
        super().__init__()
        self.attn = Attention(dim, heads) if has_attn else None
        self.ff = FeedForward(dim)
        self.embed_mix = nn.Parameter(torch.tensor([1., 0.]))

    def forward(self, x, *, embed, value_emb, mask):
        x = self.embed_mix[0] * x + self.embed_mix[1] * embed
        if exists(self.attn):
            x = x + self.attn(rmsnorm(x), value_emb, mask)
        return x + self.ff(rmsnorm(x))

class TokenValueTables(nn.Module):
    def __init__(self, num_tokens, dim, num_tables = 3, depth = 12):
        super().__init__()
        self.tables = nn.ModuleList([nn.Embedding(num_tokens, dim) for _ in range(num_tables)])
        self.gap = depth - 2 * num_tables

    def forward(self, ids):
        vals = [tab(ids) for tab in self.tables]
        return vals + [None] * self.gap + vals

class SpeedrunLM(nn.Module):
    def __init__(self, *, num_tokens = 50304, dim = 768, depth = 12, heads = 6, attnless_layer = 7, global_every = 3, eot = 50256):
        super().__init__()
        self.eot, self.depth, self.global_every = eot, depth, global_every
        self.token_emb = nn.Embedding(num_tokens, dim)
        self.value_tables = TokenValueTables(num_tokens, dim, depth = depth)
        self.layers = nn.ModuleList([Layer(dim, heads, has_attn = i != attnless_layer) for i in range(depth)])
        self.skip_gains = nn.Parameter(torch.ones(depth // 2))
        self.to_logits = Linear32(dim, num_tokens, zero_init = True)

    def masks(self, ids, window_blocks, bs = 128):
        doc = (ids == self.eot).cumsum(0)
        lo, hi = doc.view(-1, bs)[:, 0].contiguous(), doc.view(-1, bs)[:, -1].contiguous()
        nb = ids.numel() // bs
        blk = torch.arange(nb, dtype = torch.int32, device = ids.device)
        qb, kb = blk[:, None], blk[None, :]

        def doc_causal(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (doc[q_idx] == doc[kv_idx])

        def ordered(m):
            return (m.sum(-1, dtype = torch.int32)[None, None].contiguous(),
                    m.argsort(-1, descending = True, stable = True).to(torch.int32)[None, None].contiguous())

        def build(win):
            near = (qb - kb) < win
            some = (qb >= kb) & near & (lo[:, None] <= hi[None, :]) & (lo[None, :] <= hi[:, None])
            whole = (qb > kb) & near & (lo[:, None] == hi[None, :]) & (lo[None, :] == hi[:, None])
            return BlockMask.from_kv_blocks(*ordered(some & ~whole), *ordered(whole), BLOCK_SIZE = bs, mask_mod = doc_causal)

        return build(window_blocks), build(nb)

    def forward(self, ids, labels, window_blocks):
        local_mask, global_mask = self.masks(ids, window_blocks)
        x = embed = rmsnorm(self.token_emb(ids[None]))
        value_embs = self.value_tables(ids[None])
        half, skips = self.depth // 2, []
        for i, layer in enumerate(self.layers):
            if i >= half:
                x = x + self.skip_gains[i - half] * skips.pop()
            mask = global_mask if (i % self.global_every) == self.global_every - 1 else local_mask
            x = layer(x, embed = embed, value_emb = value_embs[i], mask = mask)
            if i < half:
                skips.append(x)
        logits = self.to_logits(rmsnorm(x))
        logits = 15 * torch.tanh(logits / 15)
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), labels)

# data

def pinned_shard(path):
    head = torch.from_file(path, False, 256, dtype = torch.int32)
    assert head[0] == 20240520 and head[1] == 1
    n = int(head[2])
    toks = torch.empty(n, dtype = torch.uint16, pin_memory = True)
    with open(path, 'rb', buffering = 0) as f:
        f.seek(256 * 4)
        assert f.readinto(toks.numpy()) == 2 * n
    return toks

def batches(pattern, seq_len, rank, world):
    for path in sorted(glob.glob(pattern)):
        toks, pos = pinned_shard(path), 0
        while pos + world * seq_len + 1 < len(toks):
            buf = toks[pos + rank * seq_len:][:seq_len + 1]
            yield buf[:-1].to('cuda', torch.int32, non_blocking = True), buf[1:].to('cuda', torch.int64, non_blocking = True)
            pos += world * seq_len

# train

def main(num_steps = 1393, cooldown = 0.4, seq_len = 64 * 1024, val_every = 125):
    dist.init_process_group('nccl')
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ['LOCAL_RANK'])
    torch.cuda.set_device(local_rank)

    model = SpeedrunLM().cuda()
    for m in model.modules():
        if isinstance(m, nn.Embedding):
            m.bfloat16()
    ddp = DDP(torch.compile(model), device_ids = [local_rank], broadcast_buffers = False, gradient_as_bucket_view = True)

    matrices = [p for p in model.layers.parameters() if p.ndim >= 2]
    scalars = [p for p in model.parameters() if p.ndim < 2]
    embeds = [*model.token_emb.parameters(), *model.value_tables.parameters()]
    adam = torch.optim.Adam([dict(params = embeds, lr = 0.6), dict(params = [model.to_logits.weight], lr = 0.008),
                             dict(params = scalars, lr = 0.04)], betas = (0.8, 0.95), fused = True)
    ortho = ShardedOrtho(matrices, lr = 0.05, momentum = 0.95)
    optims = [adam, ortho]
    for o in optims:
        for g in o.param_groups:
            g['initial_lr'] = g['lr']

    def lr_factor(step):
        left = 1 - step / num_steps
        return 1.0 if left >= cooldown else left / cooldown

    window_blocks = torch.tensor(1, dtype = torch.int32, device = 'cuda')
    train = batches(os.environ['NANOGPT_TRAIN_FILES'], seq_len, rank, world)
    start = time.perf_counter()
    for step in range(num_steps + 1):
        progress = step / num_steps
        window_blocks.copy_(int(((1 - progress) * 128 + progress * 1856) // 128))
        if step == num_steps or step % val_every == 0:
            ddp.eval()
            budget = int(os.environ['NANOGPT_VAL_TOKENS']) // (seq_len * world)
            val = batches(os.environ['NANOGPT_VAL_FILES'], seq_len, rank, world)
            loss = torch.zeros((), device = 'cuda')
            with torch.no_grad():
                for _ in range(budget):
                    loss += ddp(*next(val), window_blocks)
            dist.all_reduce(loss, op = dist.ReduceOp.AVG)
            if rank == 0:
                print(f'{step=} val_loss={loss.item() / budget:.4f} t={time.perf_counter() - start:.1f}s')
            ddp.train()
        if step == num_steps:
            break
        ddp(*next(train), window_blocks).backward()
        for o in optims:
            for g in o.param_groups:
                g['lr'] = g['initial_lr'] * lr_factor(step)
        warm = min(step / 300, 1)
        for g in ortho.param_groups:
            g['momentum'] = 0.85 + 0.1 * warm
        for o in optims:
            o.step()
        ddp.zero_grad(set_to_none = True)
    dist.destroy_process_group()

if __name__ == '__main__':
    main()
