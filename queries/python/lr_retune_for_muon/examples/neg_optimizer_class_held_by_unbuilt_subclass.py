# example: the same subclass holding the orthogonalizing optimizer class, but the script builds the plain model
# subclass that holds SGD at the full rate; the orthogonalizing subclass is never built; negative.
import torch
import torch.nn as nn


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                U, S, V = torch.svd(w.grad)
                w.add_(U @ V.T, alpha=-g["lr"])


class Net(nn.Module):

    def __init__(self):
        super().__init__()
        self.body = nn.Linear(64, 64, bias=False)
        self.head = nn.Linear(64, 128, bias=False)

    def optimizers(self, lr):
        return [torch.optim.AdamW(self.head.parameters(), lr=lr, weight_decay=0),
                self.body_cls(self.body.parameters(), lr=self.ratio * lr)]


class TunedNet(Net):
    body_cls = Ortho
    ratio = 0.1


class PlainNet(Net):
    body_cls = torch.optim.SGD
    ratio = 1.0


model = PlainNet()
opts = model.optimizers(0.0036)
