# example: rates read as `os.environ.get(NAME) or "<number>"` (an unset variable is None, so the fallback is what runs) and as `args.x or 0.6` with the flag defaulting to None; embedding 0.6, head 0.008, Muon 0.04, scalars 0.04; positive.
import argparse
import os

import torch
import torch.nn as nn

cli = argparse.ArgumentParser()
cli.add_argument("--embedding-rate", type=float, default=None)
opts = cli.parse_args()

EMBEDDING_RATE = opts.embedding_rate or 0.6
HEAD_RATE = float(os.environ.get("HEAD_RATE") or "0.008")
MATRIX_RATE = float(os.getenv("MATRIX_RATE") or 0.04)
SCALAR_RATE = float(os.environ.get("SCALAR_RATE") or "4e-2")


def orthogonalize(update, iterations=5):
    x = update.bfloat16() / (update.norm() + 1e-7)
    for _ in range(iterations):
        gram = x @ x.T
        x = 3.4445 * x + (-4.7750 * gram + 2.0315 * gram @ gram) @ x
    return x


class OrthogonalMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for w in group["params"]:
                state = self.state[w]
                if "m" not in state:
                    state["m"] = torch.zeros_like(w)
                state["m"].mul_(group["momentum"]).add_(w.grad)
                w.add_(orthogonalize(state["m"]).type_as(w), alpha=-group["lr"])


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=12):
        super().__init__()
        self.token_table = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.gains = nn.Parameter(torch.ones(depth))
        self.readout = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        h = self.token_table(ids)
        for gain, layer in zip(self.gains, self.layers):
            h = h + gain * torch.relu(layer(h))
        return self.readout(h)


net = TinyLM()
weights = [w for w in net.layers.parameters() if w.ndim == 2]
optimizers = [
    torch.optim.Adam([net.token_table.weight], lr=EMBEDDING_RATE, betas=(0.8, 0.95)),
    torch.optim.Adam([net.readout.weight], lr=HEAD_RATE, betas=(0.8, 0.95)),
    OrthogonalMomentum(weights, lr=MATRIX_RATE),
    torch.optim.Adam([net.gains], lr=SCALAR_RATE, betas=(0.8, 0.95)),
]
