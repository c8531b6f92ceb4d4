# example: a Liger fused loss with softcap=15 is built but never called; the loss actually used is plain cross-entropy on uncapped logits. NOT the soft-cap (near miss).
import torch
import torch.nn as nn
import torch.nn.functional as F
from liger_kernel.transformers import LigerFusedLinearCrossEntropyLoss


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.out = nn.Linear(width, vocab, bias=False)
        self.spare_loss = LigerFusedLinearCrossEntropyLoss(softcap=15.0)

    def forward(self, tokens, labels):
        logits = self.out(self.embed(tokens)).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))
