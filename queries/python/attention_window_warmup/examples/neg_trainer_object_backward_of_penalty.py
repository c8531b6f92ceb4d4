# example: the same trainer object's backward, but what it is handed is a penalty on the embedding; the forward pass that gets the growing window is only printed, never trained; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


class Runner:
    def __init__(self, accumulation=1):
        self.accumulation = accumulation

    def backward(self, loss):
        (loss / self.accumulation).backward()


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, d=256):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, vocab, bias=False)

    def forward(self, ids, labels, span):
        def keep(b, h, q, k):
            return (q >= k) & (q - k < span)
        mask = create_block_mask(keep, None, None, ids.numel(), ids.numel())
        x = self.emb(ids)[None]
        q, k, v = self.qkv(x).view(1, -1, 3, 2, 128).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=mask).transpose(1, 2).reshape(1, -1, 256)
        return F.cross_entropy(self.out(y).view(-1, 50304), labels)


TOTAL = 1750
runner = Runner()
model = TinyLM()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(TOTAL + 1):
    width = 64 * int((64 + (1792 - 64) * step / TOTAL) // 64)
    span = torch.tensor(width, dtype=torch.int32)
    ids = torch.randint(0, 50304, (1024,))
    penalty = model.emb.weight.square().mean()
    runner.backward(penalty)
    with torch.no_grad():
        print(step, model(ids, ids, span).item())
    opt.step()
    opt.zero_grad(set_to_none=True)
