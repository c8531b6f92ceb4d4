# example: the same hooks, but the hook overwrites stash.v1 with its own values on every call after mixing, so each layer mixes in the previous layer's values, not the first layer's; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head = n_head
        self.c_q = nn.Linear(dim, dim, bias=False)
        self.c_k = nn.Linear(dim, dim, bias=False)
        self.c_v = nn.Linear(dim, dim, bias=False)
        self.c_proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q = self.c_q(x).view(B, T, self.n_head, -1)
        k = self.c_k(x).view(B, T, self.n_head, -1)
        v = self.c_v(x).view(B, T, self.n_head, -1)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.attn = Attention(dim, n_head)

    def forward(self, x):
        return x + self.attn(F.rms_norm(x, (x.size(-1),)))


class Net(nn.Module):
    def __init__(self, vocab=256, dim=128, n_head=4, depth=6):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList([Block(dim, n_head) for _ in range(depth)])

    def forward(self, idx):
        x = self.wte(idx)
        for layer in self.layers:
            x = layer(x)
        return x


class Scratch:
    def __init__(self):
        self.v1 = None


def add_value_residual(net, stash):
    for i, layer in enumerate(net.layers):
        layer.attn.register_parameter("blend", nn.Parameter(torch.tensor(0.5)))

        def mix_values(module, args, out, attn=layer.attn):
            w = attn.blend
            mixed = (1 - w) * out + w * (out if stash.v1 is None else stash.v1)
            stash.v1 = out
            return mixed

        layer.attn.c_v.register_forward_hook(mix_values)


def main():
    net = Net()
    add_value_residual(net, Scratch())
    return net(torch.randint(0, 256, (2, 16)))


if __name__ == "__main__":
    main()
