# example: near miss - the same two mask functions chosen by whether a span was passed, but the loop computes the growing span only for its log and calls the model without it, so the fixed 1024-token window runs every step; negative.
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


class Settings:
    steps = 2000


class Model(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx, labels, span=None):
        if span is None:
            def mask_fn(b, h, q, k):
                return (q >= k) & (q - k < 1024)
        else:
            def mask_fn(b, h, q, k):
                return (q >= k) & (q - k < span)
        n = idx.size(-1)
        blocks = create_block_mask(mask_fn, None, None, n, n, device="cuda")
        q, k, v = self.qkv(self.emb(idx)[None, None]).chunk(3, dim=-1)
        y = flex_attention(q, k, v, block_mask=blocks)[0]
        return nn.functional.cross_entropy(self.head(y).float().view(-1, 50304), labels.view(-1))


model = Model().cuda()
opt = torch.optim.Adam(model.parameters(), lr=3e-4)
for it in range(Settings.steps):
    span = torch.tensor(128 * (1 + int(13 * it / Settings.steps)), device="cuda")
    print(f"step {it} span {int(span)}")
    loss = model(torch.zeros(1024, dtype=torch.long, device="cuda"), torch.zeros(1024, dtype=torch.long, device="cuda"))
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
