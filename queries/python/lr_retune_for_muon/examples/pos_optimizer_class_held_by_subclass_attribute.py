# example: a model subclass names its optimizer class in a class attribute that a method of the base class builds
# through `self.body_cls(...)` at a tenth of the AdamW rate 0.0036; the script builds the subclass; positive.
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


model = TunedNet()
opts = model.optimizers(0.0036)
