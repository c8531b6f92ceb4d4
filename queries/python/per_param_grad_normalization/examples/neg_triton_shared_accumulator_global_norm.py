# example: two Triton kernels, but the sum of squares of every gradient goes into ONE accumulator made before the loop, and each gradient is then scaled by the square root of that total: a global norm, not a per-tensor one; negative.
import torch
import triton
import triton.language as tl


@triton.jit
def sq_accumulate(src_ptr, acc_ptr, numel, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    keep = offs < numel
    v = tl.load(src_ptr + offs, mask=keep, other=0.0).to(tl.float32)
    tl.atomic_add(acc_ptr, tl.sum(v * v, axis=0))


@triton.jit
def scale_by_root(src_ptr, acc_ptr, numel, eps, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    keep = offs < numel
    total = tl.load(acc_ptr)
    v = tl.load(src_ptr + offs, mask=keep, other=0.0)
    tl.store(src_ptr + offs, v / (tl.sqrt(total) + eps), mask=keep)


def normalize_all(parameters, eps=1e-6, block=2048):
    grads = [w.grad.reshape(-1) for w in parameters if w.grad is not None]
    acc = torch.zeros(1, device=grads[0].device, dtype=torch.float32)
    for g in grads:
        grid = (triton.cdiv(g.numel(), block),)
        sq_accumulate[grid](g, acc, g.numel(), BLOCK=block)
    for g in grads:
        grid = (triton.cdiv(g.numel(), block),)
        scale_by_root[grid](g, acc, g.numel(), eps, BLOCK=block)


def train_step(model, opt, batch, targets):
    loss = torch.nn.functional.cross_entropy(model(batch).flatten(0, 1), targets.flatten())
    loss.backward()
    normalize_all(list(model.parameters()))
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss
