# example: the Newton-Schulz routine takes stacks of matrices (`.mT`, X @ X.mT) and first normalizes each matrix with a helper that flattens the stack to one row per matrix (G.reshape(-1, G.size(-2) * G.size(-1))) and launches a Triton kernel dividing each row by the root of its own sum of squares; the optimizer admits p.ndim >= 2; positive.
import torch
import triton
import triton.language as tl


@triton.jit
def _unit_rows(src_ptr, dst_ptr, row_len, eps, BLOCK: tl.constexpr):
    rid = tl.program_id(0).to(tl.int64)
    src = src_ptr + rid * row_len
    dst = dst_ptr + rid * row_len
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for start in range(0, row_len, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        ok = cols < row_len
        x = tl.load(src + cols, mask=ok, other=0.0).to(tl.float32)
        acc += x * x
    scale = tl.rsqrt(tl.sum(acc, axis=0) + eps)
    for start in range(0, row_len, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        ok = cols < row_len
        x = tl.load(src + cols, mask=ok, other=0.0).to(tl.float32)
        tl.store(dst + cols, (x * scale).to(dst_ptr.dtype.element_ty), mask=ok)


def unit_matrices(G, eps=1e-14):
    rows = G.reshape(-1, G.size(-2) * G.size(-1)).contiguous()
    out = torch.empty(rows.shape, dtype=torch.bfloat16, device=G.device)
    _unit_rows[(rows.shape[0],)](rows, out, rows.shape[1], eps, BLOCK=2048)
    return out.view(G.shape)


def polar(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = unit_matrices(G)
    wide = G.size(-2) <= G.size(-1)
    if not wide:
        X = X.mT
    for _ in range(steps):
        A = X @ X.mT
        X = a * X + (b * A + c * A @ A) @ X
    return X if wide else X.mT


class StackMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        params = [p for p in params if p.ndim >= 2]
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                m = self.state[p].setdefault("m", torch.zeros_like(p))
                m.lerp_(p.grad, 1 - group["momentum"])
                p.add_(polar(m).type_as(p), alpha=-group["lr"])
