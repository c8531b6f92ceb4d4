# example: the value-embedding table holds one slice per encoder layer and a forward hook on it appends the slices again in reverse order, so decoder layer i reads slice n-1-i; positive.
import torch
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self, vocab, dim, n_layer):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.vte = nn.Embedding(vocab, dim * n_layer)
        self.blocks = nn.ModuleList([nn.Linear(dim, dim) for _ in range(n_layer)])
        self.n_layer = n_layer

    def forward(self, idx):
        x = self.wte(idx)
        vi = self.vte(idx).chunk(self.n_layer, dim=-1)
        for i, block in enumerate(self.blocks):
            x = block(x + vi[i])
        return x


def mirror_tables(n):
    def hook(module, inputs, out):
        tables = out.chunk(n, dim=-1)
        return torch.cat(tables + tables[::-1], dim=-1)
    return hook


def main():
    model = GPT(50304, 768, 12)
    model.vte = nn.Embedding(50304, 768 * 6)
    model.vte.register_forward_hook(mirror_tables(6))
    return model


if __name__ == "__main__":
    main()
