# example: The plug-in refills the window tensor from the context's epoch counter, which nothing in the run ever advances (the loop sets the iteration only), so the window stays at 64; NOT present.
import torch
import torch.nn as nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


class Context:
    def __init__(self, total):
        self.iteration = 0
        self.epoch = 0
        self.total = total
        self.span = torch.tensor(64, dtype=torch.int32)


class GrowSpan:
    def before_step(self, ctx):
        progress = ctx.epoch / ctx.total
        ctx.span.fill_(64 * int((64 + progress * (1792 - 64)) // 64))


class Net(nn.Module):
    def __init__(self, width=768):
        super().__init__()
        self.qkv = nn.Linear(width, 3 * width, bias=False)

    def forward(self, x, span):
        def near(b, h, q, k):
            return (q >= k) & (q - k < span)
        mask = create_block_mask(near, None, None, x.size(1), x.size(1))
        q, k, v = self.qkv(x).view(1, x.size(1), 3, 6, 128).unbind(2)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask)
        return y.square().mean()


def train(plugins, total=1750):
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=0.001)
    ctx = Context(total)
    for it in range(total):
        ctx.iteration = it
        for plugin in plugins:
            plugin.before_step(ctx)
        loss = net(torch.randn(1, 1024, 768), span=ctx.span)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)


train([GrowSpan()])
