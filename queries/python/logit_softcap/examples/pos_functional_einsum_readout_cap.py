# example: Functional loss with einsum head; cap from argparse; tanh via torch.nn.functional.tanh, factor on the right; positive.
import argparse
import torch
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--logit_cap", type=float, default=30.0)
parser.add_argument("--dim", type=int, default=256)
opts = parser.parse_args()


def compute_loss(params, tokens):
    x = params["wte"][tokens[:, :-1]]
    for w in params["mlp"]:
        x = x + F.relu(F.rms_norm(x, (opts.dim,)) @ w).square()
    z = torch.einsum("btd,vd->btv", F.rms_norm(x, (opts.dim,)), params["head"])
    z = F.tanh(z / opts.logit_cap) * opts.logit_cap
    return F.cross_entropy(z.float().reshape(-1, z.size(-1)), tokens[:, 1:].reshape(-1))


params = {
    "wte": torch.randn(50304, opts.dim, requires_grad=True),
    "mlp": [torch.randn(opts.dim, opts.dim, requires_grad=True) for _ in range(4)],
    "head": torch.zeros(50304, opts.dim, requires_grad=True),
}
loss = compute_loss(params, torch.randint(0, 50304, (2, 33)))
loss.backward()
