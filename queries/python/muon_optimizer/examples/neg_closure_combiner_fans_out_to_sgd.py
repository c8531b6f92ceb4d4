# example: the same closures, but the steps the combiner fans out to are a plain momentum SGD closure; the orthogonalizing step is built by an unused method; NOT present.
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP


def make_orthogonalizer(iters=5, coeffs=(3.4445, -4.7750, 2.0315), eps=1e-7):
    ca, cb, cc = coeffs

    def orthogonalize(mat):
        y = mat.bfloat16()
        y = y / (y.norm() + eps)
        for _ in range(iters):
            gram = y @ y.T
            cubic = gram @ y
            y = ca * y + cb * cubic + cc * (gram @ cubic)
        return y.to(mat.dtype)

    return orthogonalize


def make_ortho_step(params, base_lr, momentum=0.95):
    tracked = list(params)
    orthogonalize = torch.compile(make_orthogonalizer())
    velocity = {}

    @torch.no_grad()
    def ortho_step(lr_scale=1.0):
        for w in tracked:
            buf = velocity.setdefault(w, torch.zeros_like(w.grad))
            buf.mul_(momentum).add_(w.grad)
            w.add_(orthogonalize(w.grad.add(buf, alpha=momentum)), alpha=-base_lr * lr_scale)

    return ortho_step


def make_sgd_step(params, base_lr, momentum=0.95):
    tracked = list(params)
    velocity = {}

    @torch.no_grad()
    def sgd_step(lr_scale=1.0):
        for w in tracked:
            buf = velocity.setdefault(w, torch.zeros_like(w.grad))
            buf.mul_(momentum).add_(w.grad)
            w.add_(buf, alpha=-base_lr * lr_scale)

    return sgd_step


def make_combined_step(*steppers):
    def combined_step(lr_scale=1.0):
        for st in steppers:
            st(lr_scale)

    return combined_step


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(*[nn.Linear(64, 64, bias=False) for _ in range(3)])

    def forward(self, x):
        return self.blocks(x)

    def build_step(self, lr):
        return make_combined_step(make_sgd_step(self.blocks.parameters(), lr))

    def build_ortho_step(self, lr):
        return make_ortho_step(self.blocks.parameters(), lr)


model = DDP(Net().cuda())
step = model.module.build_step(0.02)
for it in range(100):
    model(torch.randn(4, 64, device="cuda")).square().mean().backward()
    step(1.0)
