# example: a setup helper the script calls walks a table of (backend, flag) pairs and flips each switch through getattr(torch.backends.cuda, f"enable_{name}_sdp")(flag): cuDNN on, Flash and the others off; positive.
import torch
import torch.nn.functional as F

BACKENDS = (("cudnn", True), ("flash", False), ("mem_efficient", False), ("math", False))


def pick_attention_backend():
    for name, flag in BACKENDS:
        getattr(torch.backends.cuda, f"enable_{name}_sdp")(flag)


def train(steps=10):
    w = torch.randn(64, 64, device="cuda", dtype=torch.bfloat16, requires_grad=True)
    for _ in range(steps):
        x = torch.randn(2, 6, 256, 64, device="cuda", dtype=torch.bfloat16)
        q = k = v = x @ w
        F.scaled_dot_product_attention(q, k, v, is_causal=True).float().square().mean().backward()


pick_attention_backend()
train()
