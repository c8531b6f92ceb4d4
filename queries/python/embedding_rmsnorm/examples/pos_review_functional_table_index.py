# example: functional model: the embedding lookup is params["tok"][idx] and the result goes through a manual rsqrt RMS helper before the blocks (also kept as x0); positive.
import torch


def rmsnorm(x, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


def block(w, x, x0):
    x = x + 0.5 * x0
    return x + torch.relu(rmsnorm(x) @ w["up"]).square() @ w["down"]


def forward(params, idx):
    x = rmsnorm(params["tok"][idx])
    x0 = x
    for w in params["blocks"]:
        x = block(w, x, x0)
    return rmsnorm(x) @ params["out"]


D, V = 256, 50304
params = {
    "tok": torch.randn(V, D) * 0.02,
    "blocks": [{"up": torch.randn(D, 4 * D) * 0.02, "down": torch.zeros(4 * D, D)} for _ in range(4)],
    "out": torch.zeros(D, V),
}
logits = forward(params, torch.randint(0, V, (2, 8)))
