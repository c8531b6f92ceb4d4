# example: the window comes from a table parsed from a command-line string of fourteen spans (128 to 1792 in steps of 128), one entry per fourteenth of training; positive.
import argparse

import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

parser = argparse.ArgumentParser()
parser.add_argument("--spans", type=str, default="128,256,384,512,640,768,896,1024,1152,1280,1408,1536,1664,1792")
parser.add_argument("--iters", type=int, default=3000)
flags, _ = parser.parse_known_args()
SPANS = [int(s) for s in flags.spans.split(",")]


def span_at(it):
    stage = min(int(len(SPANS) * it / flags.iters), len(SPANS) - 1)
    return SPANS[stage]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50304, 768)
        self.qkv = nn.Linear(768, 3 * 768, bias=False)

    def forward(self, idx, span):
        def local(b, h, q, k):
            return (q >= k) & (q - k < span)

        mask = create_block_mask(local, None, None, 1024, 1024, device="cuda")
        q, k, v = self.qkv(self.emb(idx)[None, None]).chunk(3, dim=-1)
        return flex_attention(q, k, v, block_mask=mask).float().mean()


net = Net().cuda()
opt = torch.optim.Adam(net.parameters(), lr=3e-4)
span = torch.tensor(SPANS[0], dtype=torch.int32, device="cuda")
for it in range(flags.iters + 1):
    span.fill_(span_at(it))
    net(torch.zeros(1024, dtype=torch.long, device="cuda"), span).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
