# example: the helper refills a progress buffer that nothing in the mask reads; the span buffer stays at 128; NOT present.
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

STEPS = 3000


class Model(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.head = nn.Linear(width, vocab, bias=False)
        self.register_buffer("span", torch.tensor(128, dtype=torch.int32), persistent=False)
        self.register_buffer("progress", torch.tensor(0, dtype=torch.int32), persistent=False)

    def forward(self, idx, labels):
        span = self.span

        def local_causal(b, h, q, k):
            return (q >= k) & (q - k < span)

        n = idx.size(-1)
        mask = create_block_mask(local_causal, None, None, n, n, device="cuda")
        q, k, v = self.qkv(self.emb(idx)[None, None]).chunk(3, dim=-1)
        y = flex_attention(q, k, v, block_mask=mask)[0]
        return nn.functional.cross_entropy(self.head(y).float().view(-1, 50304), labels.view(-1))


@torch.no_grad()
def refresh_span(net, tokens):
    net.progress.fill_(tokens)


def span_at(step, total, unit=128, top=1792):
    return unit * max(1, round(top / unit * step / total))


model = Model().cuda()
opt = torch.optim.Adam(model.parameters(), lr=3e-4)
for it in range(STEPS):
    refresh_span(model, span_at(it, STEPS))
    loss = model(torch.zeros(1024, dtype=torch.long, device="cuda"), torch.zeros(1024, dtype=torch.long, device="cuda"))
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
