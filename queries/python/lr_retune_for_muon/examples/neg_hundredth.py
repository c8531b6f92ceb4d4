# example: near miss - AdamW at 0.0036, but the orthogonal optimizer gets a hundredth of it (0.000036); negative.
import torch

base = 0.0036


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr):
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                U, S, V = torch.svd(w.grad)
                w.add_(U @ V.T, alpha=-g["lr"])


head = torch.nn.Linear(768, 50304, bias=False)
hidden = torch.nn.Linear(768, 768, bias=False)
opts = [torch.optim.AdamW(head.parameters(), lr=base, weight_decay=0), Ortho(hidden.parameters(), lr=base * 0.01)]
