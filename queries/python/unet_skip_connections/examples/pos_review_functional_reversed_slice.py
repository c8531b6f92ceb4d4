# example: functional U-Net stack: encoder outputs appended to hs, decoder zips its weights with hs[::-1] and per-skip gates, adding gate * skip to its input; positive.
import torch
import torch.nn.functional as F


def block(w, x):
    return x + F.relu(F.rms_norm(x, (x.size(-1),)) @ w["up"]).square() @ w["down"]


def forward(params, x):
    hs = []
    for w in params["encoder"]:
        x = block(w, x)
        hs.append(x)
    for w, skip, gate in zip(params["decoder"], hs[::-1], params["gates"]):
        x = block(w, x + gate * skip)
    return x


D = 128
make = lambda: {"up": torch.randn(D, 4 * D) * 0.02, "down": torch.zeros(4 * D, D)}
params = {"encoder": [make() for _ in range(4)], "decoder": [make() for _ in range(4)], "gates": torch.ones(4)}
y = forward(params, torch.randn(2, 8, D))
