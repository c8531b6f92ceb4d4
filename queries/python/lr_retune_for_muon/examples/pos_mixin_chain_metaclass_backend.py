# example: AdamW at 0.0036 for the embedding and head, and an optimizer at a tenth of that whose direction() runs through cooperative mixins (super()) to a backend looked up as Backend[name] through a metaclass __getitem__ (its __call__ runs Newton-Schulz); positive.
import torch


def newton_schulz(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return (X.T if tall else X).to(G.dtype)


class Registry(type):
    entries = {}

    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        if namespace.get("name"):
            Registry.entries[namespace["name"]] = cls

    def __getitem__(cls, name):
        return Registry.entries[name]()


class Backend(metaclass=Registry):
    name = None


class QuinticBackend(Backend):
    name = "quintic"

    def __call__(self, G):
        return newton_schulz(G)


class BackendBase:
    def direction(self, g, group):
        return Backend[group["backend"]](g)


class Normalized:
    def direction(self, g, group):
        return super().direction(g / (g.norm() + 1e-7), group)


class Float32:
    def direction(self, g, group):
        return super().direction(g.float(), group).type_as(g)


class Orthogonal(Float32, Normalized, BackendBase, torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, backend="quintic"):
        super().__init__(params, dict(lr=lr, momentum=momentum, backend=backend))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(self.direction(p.grad.add(buf, alpha=group["momentum"]), group), alpha=-group["lr"])


HEAD_LR = 0.0036

embed = torch.nn.Embedding(50304, 256)
layers = torch.nn.Sequential(*[torch.nn.Linear(256, 256, bias=False) for _ in range(4)])
head = torch.nn.Linear(256, 50304, bias=False)
optimizers = [
    torch.optim.AdamW([embed.weight, head.weight], lr=HEAD_LR, betas=(0.9, 0.95), weight_decay=0),
    Orthogonal(layers.parameters(), lr=HEAD_LR / 10, momentum=0.95),
]
