# example: the same keyed tree cast, but the tuple of keys kept fp32 names the embedding table too, so the activations it gives are fp32: not bf16 activations; negative.
import torch
import torch.nn.functional as F

KEEP_FP32 = ("wte", "w_in", "w_out", "head")


def linear(x, w):
    return F.linear(x, w.to(x.dtype))


def init_params(vocab, d):
    return {"wte": torch.randn(vocab, d) * 0.02,
            "blocks": [{"w_in": torch.randn(4 * d, d) * 0.02, "w_out": torch.zeros(d, 4 * d)} for _ in range(2)],
            "head": torch.zeros(vocab, d)}


def to_bf16(tree):
    if isinstance(tree, dict):
        return {k: (v.float() if k in KEEP_FP32 else to_bf16(v)) for k, v in tree.items()}
    if isinstance(tree, list):
        return [to_bf16(t) for t in tree]
    return tree.bfloat16()


def forward(params, idx):
    x = F.embedding(idx, params["wte"])
    for p in params["blocks"]:
        x = x + linear(F.relu(linear(x, p["w_in"])).square(), p["w_out"])
    return linear(F.rms_norm(x, (x.size(-1),)), params["head"]).float()


params = to_bf16(init_params(50304, 64))
idx = torch.randint(0, 50304, (2, 9))
loss = F.cross_entropy(forward(params, idx[:, :-1]).flatten(0, 1), idx[:, 1:].flatten())
