# example: a subclass of torch's AdamW that hands 0 to its base and applies its own learning-rate-scaled decay before calling super().step(), built through a registry of lambdas keyed by the configuration's name, with the configured decay 0; positive.
import torch
import torch.nn as nn


class ScaledDecayAdamW(torch.optim.AdamW):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=0.0)
        for group in self.param_groups:
            group["own_decay"] = weight_decay
            group.setdefault("initial_lr", lr)

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            if group["own_decay"] != 0.0:
                shrink = group["lr"] / group["initial_lr"] * group["own_decay"]
                for p in group["params"]:
                    p.mul_(1 - shrink)
        return super().step(closure)


BUILDERS = {
    "scaled_adamw": lambda params, spec: ScaledDecayAdamW(
        params, lr=spec["lr"], betas=tuple(spec["betas"]), weight_decay=spec.get("weight_decay", 0.0)),
    "sgd": lambda params, spec: torch.optim.SGD(params, lr=spec["lr"]),
}

RUN = {
    "optimizer": {"name": "scaled_adamw", "lr": 0.0018, "betas": [0.9, 0.95], "weight_decay": 0.0},
}


def build(model: nn.Module, spec: dict):
    return BUILDERS[spec["name"]](list(model.parameters()), spec)


model = nn.Linear(768, 768)
optimizer = build(model, RUN["optimizer"])
for step in range(100):
    loss = model(torch.randn(4, 768)).square().mean()
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
