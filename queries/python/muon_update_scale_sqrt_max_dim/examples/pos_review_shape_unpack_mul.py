# example: functional Muon step: fan_out, fan_in unpacked from update.shape[-2:], the orthogonalized update multiplied in place by max(fan_out, fan_in) ** 0.5, then applied with sub_; positive.
import torch


def polar_factor(G, steps=5):
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.to(G.dtype)


@torch.no_grad()
def muon_step(params, state, lr=0.02, beta=0.95):
    for p in params:
        m = state.setdefault(id(p), torch.zeros_like(p))
        m.mul_(beta).add_(p.grad)
        update = polar_factor(p.grad.add(m, alpha=beta))
        fan_out, fan_in = update.shape[-2:]
        update.mul_(max(fan_out, fan_in) ** 0.5)
        p.sub_(lr * update)


layers = [torch.nn.Linear(512, 2048, bias=False), torch.nn.Linear(2048, 512, bias=False)]
params = [layer.weight for layer in layers]
state = {}
for it in range(100):
    x = torch.randn(16, 512)
    loss = layers[1](torch.relu(layers[0](x))).square().mean()
    loss.backward()
    muon_step(params, state)
    for p in params:
        p.grad = None
