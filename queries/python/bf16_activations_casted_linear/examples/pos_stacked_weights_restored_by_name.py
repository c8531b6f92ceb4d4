# example: per-layer weights are stacked parameters named `blk_*`; a helper casts each slice to the activation dtype
# inside the product; the model goes to bf16 and a walk of its named parameters puts the `blk_` stacks back to fp32
# (the embedding stays bf16); no autocast; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def lowp_linear(x, w):
    return F.linear(x, w.type_as(x))


def layer(x, w_in, w_out):
    return x + lowp_linear(F.relu(lowp_linear(x, w_in)).square(), w_out)


class Tower(nn.Module):
    def __init__(self, depth=8, width=512, vocab=50304):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.blk_in = nn.Parameter(torch.randn(depth, 4 * width, width) * width ** -0.5)
        self.blk_out = nn.Parameter(torch.zeros(depth, width, 4 * width))

    def forward(self, ids):
        x = self.tok(ids)
        for a, b in zip(self.blk_in, self.blk_out):
            x = layer(x, a, b)
        return x


net = Tower().cuda().bfloat16()
for key, tensor in net.named_parameters():
    if key.startswith("blk_"):
        tensor.data = tensor.data.float()
loss = net(torch.randint(0, 50304, (4, 64), device="cuda")).float().square().mean()
loss.backward()
