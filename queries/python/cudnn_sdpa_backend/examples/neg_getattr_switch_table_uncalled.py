# example: near miss - the same getattr loop that turns cuDNN on and Flash off ("enable_%s_sdp" % name), but the helper holding it is never called, so the default backends run; negative.
import torch
import torch.nn.functional as F


def pick_attention_backend():
    for name, flag in (("cudnn", True), ("flash", False)):
        getattr(torch.backends.cuda, "enable_%s_sdp" % name)(flag)


def train(steps=10):
    w = torch.randn(64, 64, device="cuda", dtype=torch.bfloat16, requires_grad=True)
    for _ in range(steps):
        x = torch.randn(2, 6, 256, 64, device="cuda", dtype=torch.bfloat16)
        q = k = v = x @ w
        F.scaled_dot_product_attention(q, k, v, is_causal=True).float().square().mean().backward()


train()
