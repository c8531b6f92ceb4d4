# example: the loss dtype is looked up with getattr(torch, ...) on a name built from constants ("float" + str(LOSS_BITS), LOSS_BITS = 32), and the logits are cast to it before cross_entropy; positive.
import torch
import torch.nn.functional as F
from torch import nn

LOSS_BITS = 32


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.body = nn.Linear(width, width, bias=False)
        self.head = nn.Linear(width, vocab, bias=False)
        self.loss_dtype = getattr(torch, "float" + str(LOSS_BITS))

    def forward(self, ids, targets):
        h = self.body(self.embed(ids))
        logits = self.head(h)
        logits = logits.to(self.loss_dtype)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = TinyLM().cuda()
with torch.autocast("cuda", dtype=torch.bfloat16):
    loss = model(torch.randint(0, 50304, (2, 64), device="cuda"), torch.randint(0, 50304, (2, 64), device="cuda"))
loss.backward()
