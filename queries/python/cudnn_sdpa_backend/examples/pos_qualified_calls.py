# example: a setup function toggles the backends through fully qualified torch.backends.cuda.* calls (flash and mem-efficient off, cuDNN on) before the training loop; positive.
import torch
import torch.nn.functional as F


def configure_attention_backend():
    torch.backends.cuda.enable_flash_sdp(False)
    torch.backends.cuda.enable_mem_efficient_sdp(False)
    torch.backends.cuda.enable_math_sdp(False)
    torch.backends.cuda.enable_cudnn_sdp(True)


def attend(q, k, v):
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


def train(steps=10):
    configure_attention_backend()
    w = torch.randn(64, 64, device="cuda", dtype=torch.bfloat16, requires_grad=True)
    for _ in range(steps):
        x = torch.randn(2, 6, 256, 64, device="cuda", dtype=torch.bfloat16)
        q = k = v = x @ w
        attend(q, k, v).float().square().mean().backward()


if __name__ == "__main__":
    train()
