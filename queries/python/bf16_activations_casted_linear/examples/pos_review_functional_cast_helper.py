# example: functional model with fp32 master weights in a dict: the token lookup is cast to bf16 and every matmul goes through linear(x, w) = x @ w.to(x.dtype); no autocast; positive.
import torch
import torch.nn.functional as F

D, V = 256, 50304


def linear(x, w):
    return x @ w.to(x.dtype)


def forward(params, idx):
    x = params["wte"][idx].to(torch.bfloat16)
    for blk in params["blocks"]:
        x = x + linear(F.relu(linear(F.rms_norm(x, (D,)), blk["up"])).square(), blk["down"])
    return linear(F.rms_norm(x, (D,)), params["head"]).float()


params = {
    "wte": torch.randn(V, D) * 0.02,
    "blocks": [{"up": torch.randn(D, 4 * D) * 0.02, "down": torch.zeros(4 * D, D)} for _ in range(4)],
    "head": torch.zeros(D, V),
}
idx = torch.randint(0, V, (2, 16))
loss = F.cross_entropy(forward(params, idx[:, :-1]).flatten(0, 1), idx[:, 1:].flatten())
