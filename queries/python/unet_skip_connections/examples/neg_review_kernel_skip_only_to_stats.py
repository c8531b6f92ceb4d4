# example: kernel loads the skip and writes it to a stats buffer, but out = xv + g * xv (skip never added to x); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl


@triton.jit
def _skip_add_kernel(x_ptr, s_ptr, g_ptr, out_ptr, stat_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    xv = tl.load(x_ptr + offs, mask=m)
    sv = tl.load(s_ptr + offs, mask=m)
    g = tl.load(g_ptr)
    tl.store(stat_ptr + offs, sv * sv, mask=m)
    tl.store(out_ptr + offs, xv + g * xv, mask=m)


class _SkipAdd(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, s, g):
        x, s = x.contiguous(), s.contiguous()
        out = torch.empty_like(x)
        n = x.numel()
        stats = torch.empty_like(x)
        _skip_add_kernel[(triton.cdiv(n, 1024),)](x, s, g, out, stats, n, BLOCK=1024)
        ctx.stats = stats
        ctx.save_for_backward(s, g)
        return out

    @staticmethod
    def backward(ctx, grad):
        s, g = ctx.saved_tensors
        return grad, grad * g, (grad * s).sum().reshape(g.shape)


def merge_skip(x, s, g):
    return _SkipAdd.apply(x, s, g)


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, 4 * dim, bias=False)
        self.proj = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x):
        return x + self.proj(F.gelu(self.fc(F.rms_norm(x, (x.size(-1),)))))


class UNetGPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(Block(dim) for _ in range(depth))
        self.n_enc = depth // 2
        self.gains = nn.Parameter(torch.ones(depth - self.n_enc))
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        x = self.embed(idx)
        saved = []
        for blk in self.blocks[: self.n_enc]:
            x = blk(x)
            saved.append(x)
        for i, blk in enumerate(self.blocks[self.n_enc :]):
            x = merge_skip(x, saved.pop(), self.gains[i])
            x = blk(x)
        return self.lm_head(F.rms_norm(x, (x.size(-1),)))
