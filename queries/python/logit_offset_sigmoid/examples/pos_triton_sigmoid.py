# example: a @triton.jit kernel computes SCALE * sigmoid(x / DIV) in fp32 and the model calls it with SCALE=30, DIV=7.5 on the logits; the fused-kernel spelling.
import torch
import triton
import triton.language as tl


@triton.jit
def offset_sigmoid_kernel(src, dst, n, SCALE: tl.constexpr, DIV: tl.constexpr, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    z = tl.load(src + offs, mask=m).to(tl.float32)
    tl.store(dst + offs, SCALE * tl.sigmoid(z / DIV), mask=m)


def squash_logits(logits):
    out = torch.empty(logits.shape, dtype=torch.float32, device=logits.device)
    n = logits.numel()
    offset_sigmoid_kernel[(triton.cdiv(n, 2048),)](logits, out, n, SCALE=30.0, DIV=7.5, BLOCK=2048)
    return out


def loss(hidden, lm_head, targets):
    logits = squash_logits(lm_head(hidden))
    return torch.nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
