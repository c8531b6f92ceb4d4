"""A deliberately tiny GPT training script, written for the SpeedrunLens demo (it is never run)."""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl
from torch.utils.cpp_extension import load_inline

SOFTCAP_CUDA = r"""
__global__ void softcap_forward(float* logits, float cap, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) logits[i] = cap * tanhf(logits[i] / cap);
}
void softcap(float* logits, float cap, int n) {
    softcap_forward<<<(n + 511) / 512, 512>>>(logits, cap, n);
}
"""
softcap_ext = load_inline(name="softcap", cpp_sources="void softcap(float*, float, int);",
                          cuda_sources=SOFTCAP_CUDA, functions=["softcap"])


@triton.jit
def relu_square_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offsets, mask=offsets < n)
    y = tl.maximum(x, 0.0)
    tl.store(out_ptr + offsets, y * y, mask=offsets < n)


@dataclass
class Config:
    vocab_size: int = 50304
    n_layer: int = 4
    n_embd: int = 256
    learning_rate: float = 0.0018


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.up = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=False)
        self.down = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=False)

    def forward(self, x):
        return self.down(F.relu(self.up(x)).square())


class TinyGPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.blocks = nn.ModuleList([MLP(cfg) for _ in range(cfg.n_layer)])
        self.head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)

    def forward(self, idx):
        x = self.embed(idx)
        for block in self.blocks:
            x = x + block(x)
        logits = self.head(x)
        return 30 * torch.tanh(logits / 30)


def lr_at(step, total, warmdown):
    return 1.0 if step < total - warmdown else (total - step) / warmdown


if __name__ == "__main__":
    model = TinyGPT(Config())
    opt = torch.optim.Adam(model.parameters(), lr=Config.learning_rate, betas=(0.8, 0.95), fused=True)
