# example: near miss - the same guarded span helper, but the environment switch defaults to off, so every step gets the fixed 1024 tokens; negative.
import os

import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

CURRICULUM = os.environ.get("SPAN_CURRICULUM", "off") != "off"
STEPS = 1750


def span_for(step):
    if not CURRICULUM:
        return 1024
    return 64 * int((64 + (1792 - 64) * step / STEPS) // 64)


class Model(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx, labels, span):
        def local(b, h, q, k):
            return (q >= k) & (q - k < span)

        n = idx.size(-1)
        mask = create_block_mask(local, None, None, n, n, device="cuda")
        q, k, v = self.qkv(self.emb(idx)[None, None]).chunk(3, dim=-1)
        y = flex_attention(q, k, v, block_mask=mask)[0]
        return nn.functional.cross_entropy(self.head(y).float().view(-1, 50304), labels.view(-1))


model = Model().cuda()
opt = torch.optim.Adam(model.parameters(), lr=3e-4)
for step in range(STEPS):
    span = torch.tensor(span_for(step), dtype=torch.int32, device="cuda")
    loss = model(torch.zeros(1024, dtype=torch.long, device="cuda"), torch.zeros(1024, dtype=torch.long, device="cuda"), span)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
