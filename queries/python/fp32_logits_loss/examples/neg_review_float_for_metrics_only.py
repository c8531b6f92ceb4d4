# example: logits.float() is taken only to compute accuracy/entropy metrics, while cross_entropy consumes the bf16 logits directly; negative (the loss input is not upcast).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Head(nn.Module):
    def __init__(self, d=512, vocab=50304):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, vocab, bias=False)

    def forward(self, h, targets):
        logits = self.out(self.norm(h))
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        with torch.no_grad():
            probs = logits.float().softmax(-1)
            acc = (probs.argmax(-1) == targets).float().mean()
            entropy = -(probs * probs.clamp_min(1e-9).log()).sum(-1).mean()
        return loss, {"acc": acc, "entropy": entropy}


head = Head().to(torch.bfloat16)
loss, metrics = head(torch.randn(2, 16, 512, dtype=torch.bfloat16), torch.randint(0, 50304, (2, 16)))
