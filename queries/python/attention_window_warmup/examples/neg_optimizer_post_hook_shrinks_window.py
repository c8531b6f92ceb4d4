# example: near miss - the same optimizer step hook refills the model's window buffer after every step, but with a window shrinking from 1792 to 64 tokens; negative.
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

TOTAL_STEPS = 1750


class Model(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.head = nn.Linear(width, vocab, bias=False)
        self.register_buffer("span_limit", torch.tensor(64, dtype=torch.int32), persistent=False)

    def forward(self, idx, labels):
        limit = self.span_limit

        def sliding(b, h, q, k):
            return (q >= k) & (q - k < limit)

        n = idx.size(-1)
        mask = create_block_mask(sliding, None, None, n, n, device="cuda")
        q, k, v = self.qkv(self.emb(idx)[None, None]).chunk(3, dim=-1)
        y = flex_attention(q, k, v, block_mask=mask)[0]
        return nn.functional.cross_entropy(self.head(y).float().view(-1, 50304), labels.view(-1))


class WidenAfterStep:
    def __init__(self, target, total, lo=64, hi=1792, unit=128):
        self.target, self.total = target, total
        self.lo, self.hi, self.unit = lo, hi, unit
        self.done = 0

    def __call__(self, optimizer, args, kwargs):
        self.done += 1
        span = self.hi - (self.hi - self.lo) * min(self.done / self.total, 1.0)
        self.target.fill_(self.unit * max(1, int(span // self.unit)))


model = Model().cuda()
opt = torch.optim.Adam(model.parameters(), lr=3e-4)
opt.register_step_post_hook(WidenAfterStep(model.span_limit, TOTAL_STEPS))
for it in range(TOTAL_STEPS):
    loss = model(torch.zeros(1024, dtype=torch.long, device="cuda"), torch.zeros(1024, dtype=torch.long, device="cuda"))
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
