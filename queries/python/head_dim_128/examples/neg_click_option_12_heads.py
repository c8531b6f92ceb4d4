# example: the same click command with --n-head 12 as its default, so the heads are 64 wide; negative.
import click
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.h = n_heads
        self.hd = d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.proj = nn.Linear(d_model, d_model, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, self.hd).unbind(2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class GPT(nn.Module):
    def __init__(self, n_layer: int, n_head: int, d_model: int):
        super().__init__()
        self.h = nn.ModuleList([Attention(d_model, n_head) for _ in range(n_layer)])

    def forward(self, x):
        for a in self.h:
            x = x + a(x)
        return x


@click.command()
@click.option("--n-layer", default=12)
@click.option("--n-head", "-H", default=12)
@click.option("--d-model", default=768)
def train(n_layer, n_head, d_model):
    raw = GPT(n_layer, n_head, d_model).cuda()


if __name__ == "__main__":
    train()
