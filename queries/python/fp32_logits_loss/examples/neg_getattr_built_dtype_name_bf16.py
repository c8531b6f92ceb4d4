# example: the same getattr(torch, ...) lookup on a name built from constants, but it spells bfloat16 (f"bfloat{HALF_BITS}", HALF_BITS = 16), so the logits stay in 16-bit precision for the loss; negative (near miss).
import torch
import torch.nn.functional as F
from torch import nn

HALF_BITS = 16


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.body = nn.Linear(width, width, bias=False)
        self.head = nn.Linear(width, vocab, bias=False)
        self.loss_dtype = getattr(torch, f"bfloat{HALF_BITS}")

    def forward(self, ids, targets):
        h = self.body(self.embed(ids))
        logits = self.head(h)
        logits = logits.to(self.loss_dtype)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = TinyLM().cuda()
with torch.autocast("cuda", dtype=torch.bfloat16):
    loss = model(torch.randint(0, 50304, (2, 64), device="cuda"), torch.randint(0, 50304, (2, 64), device="cuda"))
loss.backward()
