# example: the head's weight and the final hidden states go to Liger's fused linear cross-entropy built with softcap=15 from a config field; the kernel caps the logits at 15 itself.
import torch
import torch.nn as nn
from dataclasses import dataclass
from liger_kernel.transformers import LigerFusedLinearCrossEntropyLoss


@dataclass
class Settings:
    width: int = 768
    vocab: int = 50304
    cap: float = 15.0


class TinyLM(nn.Module):
    def __init__(self, s: Settings):
        super().__init__()
        self.embed = nn.Embedding(s.vocab, s.width)
        self.out = nn.Linear(s.width, s.vocab, bias=False)
        self.criterion = LigerFusedLinearCrossEntropyLoss(softcap=s.cap)

    def forward(self, tokens, labels):
        h = self.embed(tokens)
        return self.criterion(self.out.weight, h.flatten(0, 1), labels.flatten())


model = TinyLM(Settings())
