# example: the model hands lm_head logits to capped_xent, an autograd Function whose Triton cross-entropy kernel soft-caps every logit through a jitted helper C * tanh(x / C) (via sigmoid) with C bound at launch to SOFT_CAP = 15.0 through the default of the wrapper's cap argument, which Function.apply hands to forward; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl

SOFT_CAP = 15.0


@triton.jit
def _cap(x, C: tl.constexpr):
    return C * (2.0 * tl.sigmoid(2.0 * x / C) - 1.0)


@triton.jit
def _xent_fwd(logit_ptr, tgt_ptr, loss_ptr, V, stride, C: tl.constexpr, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    base = logit_ptr + row * stride
    run_max = -float("inf")
    run_sum = 0.0
    for start in range(0, V, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        z = _cap(tl.load(base + cols, mask=cols < V, other=0.0).to(tl.float32), C)
        z = tl.where(cols < V, z, -float("inf"))
        new_max = tl.maximum(run_max, tl.max(z, axis=0))
        run_sum = run_sum * tl.exp(run_max - new_max) + tl.sum(tl.exp(z - new_max), axis=0)
        run_max = new_max
    tgt = tl.load(tgt_ptr + row)
    z_t = _cap(tl.load(base + tgt).to(tl.float32), C)
    tl.store(loss_ptr + row, run_max + tl.log(run_sum) - z_t)


class _CappedXent(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, targets, cap):
        flat = logits.reshape(-1, logits.size(-1)).contiguous()
        tgt = targets.reshape(-1).contiguous()
        losses = torch.empty(flat.size(0), device=flat.device, dtype=torch.float32)
        _xent_fwd[(flat.size(0),)](flat, tgt, losses, flat.size(1), flat.stride(0), C=cap, BLOCK=1024)
        ctx.save_for_backward(flat, tgt)
        ctx.cap = cap
        ctx.shape = logits.shape
        return losses.mean()

    @staticmethod
    def backward(ctx, g):
        flat, tgt = ctx.saved_tensors
        t = torch.tanh(flat.float() / ctx.cap)
        p = torch.softmax(ctx.cap * t, dim=-1)
        p[torch.arange(p.size(0), device=p.device), tgt] -= 1.0
        grad = p * (1.0 - t * t) * (g / flat.size(0))
        return grad.to(flat.dtype).view(ctx.shape), None, None


def capped_xent(logits, targets, cap=SOFT_CAP):
    return _CappedXent.apply(logits, targets, cap)


class TinyGPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.mlps = nn.ModuleList(nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim)) for _ in range(depth))
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx, targets):
        x = self.embed(idx)
        for mlp in self.mlps:
            x = x + mlp(F.rms_norm(x, (x.size(-1),)))
        x = F.rms_norm(x, (x.size(-1),))
        logits = self.lm_head(x)
        return capped_xent(logits, targets)
