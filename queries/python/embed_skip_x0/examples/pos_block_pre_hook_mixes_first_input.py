# example: the model is untouched; a forward pre-hook on every block (registered through the loop variable) keeps the first block's input, the normed embedding, on a helper object and returns (w[0] * x + w[1] * stash.x0,) as each block's input; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        return x + self.fc(F.rms_norm(x, (x.size(-1),)))


class Net(nn.Module):
    def __init__(self, vocab=256, dim=128, depth=6):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])

    def forward(self, idx):
        h = self.wte(idx)
        h = F.rms_norm(h, (h.size(-1),))
        for block in self.blocks:
            h = block(h)
        return h


class Carry:
    def __init__(self):
        self.x0 = None


def add_embedding_shortcut(net, carry):
    for i, blk in enumerate(net.blocks):
        blk.register_parameter("gains", nn.Parameter(torch.tensor([1.0, 0.0])))

        def feed(module, inputs, first=(i == 0)):
            (x,) = inputs
            if first:
                carry.x0 = x
            g = module.gains
            return (g[0] * x + g[1] * carry.x0,)

        blk.register_forward_pre_hook(feed)


def main():
    net = Net()
    add_embedding_shortcut(net, Carry())
    return net(torch.randint(0, 256, (2, 16)))


if __name__ == "__main__":
    main()
