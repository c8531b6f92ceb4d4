# example: near miss - the same capped() wrapper and autograd Function on the lm_head logits, but the kernel stores 15 * tanh(z / 30) (output scale and input divisor differ), which is not a soft cap c * tanh(x / c); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl

CAP = 30.0


@triton.jit
def _cap_fwd(z_ptr, out_ptr, n, LIMIT: tl.constexpr, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    z = tl.load(z_ptr + offs, mask=m).to(tl.float32)
    t = 2.0 * tl.sigmoid(2.0 * z / 30.0) - 1.0
    tl.store(out_ptr + offs, 15.0 * t, mask=m)


class _Cap(torch.autograd.Function):
    @staticmethod
    def forward(ctx, z, limit):
        src = z.contiguous()
        out = torch.empty(src.shape, device=src.device, dtype=torch.float32)
        n = src.numel()
        _cap_fwd[(triton.cdiv(n, 2048),)](src, out, n, LIMIT=limit, BLOCK=2048)
        ctx.save_for_backward(out)
        ctx.limit = limit
        return out

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        t = y / 15.0
        return g * 0.5 * (1.0 - t * t), None


def capped(z, limit=CAP):
    return _Cap.apply(z, limit)


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, 4 * dim, bias=False)
        self.out = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x):
        return x + self.out(F.gelu(self.fc(F.rms_norm(x, (x.size(-1),)))))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=6):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(Block(dim) for _ in range(depth))
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx, targets):
        x = self.wte(idx)
        for blk in self.blocks:
            x = blk(x)
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),)))
        logits = capped(logits)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
