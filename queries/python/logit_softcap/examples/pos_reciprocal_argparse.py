# example: the cap comes from an argparse default and is applied as torch.tanh(logits * (1 / cap)) * cap on the head output before the loss; positive (reciprocal multiply, factor after the tanh).
import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--logit-cap", type=float, default=30.0)
args = parser.parse_args()


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.out = nn.Linear(d, vocab, bias=False)

    def forward(self, idx, targets):
        h = F.rms_norm(self.tok(idx), (768,))
        logits = self.out(h).float()
        logits = torch.tanh(logits * (1 / args.logit_cap)) * args.logit_cap
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
