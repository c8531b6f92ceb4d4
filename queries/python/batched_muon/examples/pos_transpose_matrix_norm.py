# example: the orthogonalizer works on the last two dims with transpose(-2, -1) and torch.linalg.matrix_norm(keepdim=True), and the optimizer keeps params with dim() >= 2; same batching, other calls.
import torch
import torch.nn as nn


def orthogonalize(update: torch.Tensor, iters: int = 5) -> torch.Tensor:
    tall = update.shape[-2] > update.shape[-1]
    X = update.to(torch.bfloat16)
    if tall:
        X = X.transpose(-2, -1)
    X = X / (torch.linalg.matrix_norm(X.float(), keepdim=True).to(X.dtype) + 1e-7)
    for _ in range(iters):
        gram = X @ X.transpose(-2, -1)
        X = 3.4445 * X + (-4.7750 * gram + 2.0315 * gram @ gram) @ X
    return X.transpose(-2, -1) if tall else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        super().__init__([p for p in params if p.dim() >= 2], dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.lerp_(p.grad, 1 - group["momentum"])
                scale = max(1, p.size(-2) / p.size(-1)) ** 0.5
                p.add_(orthogonalize(buf).type_as(p), alpha=-group["lr"] * scale)


model = nn.ParameterList([nn.Parameter(torch.randn(3, 256, 256)), nn.Parameter(torch.randn(1024, 256))])
opt = Muon(model.parameters())
