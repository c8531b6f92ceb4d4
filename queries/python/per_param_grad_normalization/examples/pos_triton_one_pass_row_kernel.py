# example: one Triton program per gradient tensor: the kernel loads the whole flattened gradient, sums its squares with tl.sum, and stores it back times tl.rsqrt(sum + eps); launched for every parameter after backward; positive.
import torch
import triton
import triton.language as tl


@triton.jit
def unit_rows(grad_ptr, numel, eps, BLOCK: tl.constexpr):
    idx = tl.arange(0, BLOCK)
    keep = idx < numel
    x = tl.load(grad_ptr + idx, mask=keep, other=0.0).to(tl.float32)
    total = tl.sum(x * x, axis=0)
    tl.store(grad_ptr + idx, (x * tl.rsqrt(total + eps)).to(grad_ptr.dtype.element_ty), mask=keep)


def normalize_each(parameters, eps=1e-12):
    with torch.no_grad():
        for w in parameters:
            if w.grad is None:
                continue
            buf = w.grad.reshape(-1)
            unit_rows[(1,)](buf, buf.numel(), eps, BLOCK=triton.next_power_of_2(buf.numel()))


def train_step(model, opt, batch, targets):
    loss = torch.nn.functional.cross_entropy(model(batch).flatten(0, 1), targets.flatten())
    loss.backward()
    normalize_each(model.parameters())
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss
