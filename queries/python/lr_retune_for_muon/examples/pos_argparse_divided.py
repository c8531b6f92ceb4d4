# example: argparse --lr default 3.6e-3 given to AdamW, and the orthogonal optimizer gets args.lr / 10; positive (0.00036 reached by division).
import argparse
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--lr", type=float, default=3.6e-3)
args = ap.parse_args()


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr):
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                U, S, V = torch.svd(w.grad)
                w.add_(U @ V.T, alpha=-g["lr"] * max(w.shape) ** 0.5)


head = torch.nn.Linear(768, 50304, bias=False)
hidden = torch.nn.Linear(768, 768, bias=False)
opts = [torch.optim.AdamW(head.parameters(), lr=args.lr, weight_decay=0), Ortho(hidden.parameters(), lr=args.lr / 10)]
