# example: logits from a bf16 head are converted with .type(torch.float32) and the loss is built from log_softmax + nll_loss; positive (different cast method and loss spelling).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Head(nn.Module):
    def __init__(self, d, vocab):
        super().__init__()
        self.proj = nn.Linear(d, vocab, bias=False)

    def forward(self, h, y):
        raw = self.proj(h)
        z = raw.type(torch.float32)
        logp = F.log_softmax(z, dim=-1)
        return F.nll_loss(logp.reshape(-1, z.size(-1)), y.reshape(-1))


trunk = nn.Sequential(nn.Embedding(50304, 512), nn.Linear(512, 512)).cuda()
head = Head(512, 50304).cuda()
tokens = torch.randint(0, 50304, (4, 256), device="cuda")
with torch.autocast("cuda", dtype=torch.bfloat16):
    loss = head(trunk(tokens), tokens)
loss.backward()
