# example: Soft-cap with an nn.Tanh() module and cap from an argparse default; the reciprocal is multiplied; positive.
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--logit-softcap", type=float, default=15.0)
args, _ = ap.parse_known_args()


class LMHead(nn.Module):
    def __init__(self, dim=768, vocab=50304, cap=args.logit_softcap):
        super().__init__()
        self.proj = nn.Linear(dim, vocab, bias=False)
        self.squash = nn.Tanh()
        self.cap = cap

    def forward(self, x, targets):
        z = self.proj(F.rms_norm(x, (x.size(-1),)))
        z = self.cap * self.squash(z * (1.0 / self.cap))
        return F.cross_entropy(z.float().view(-1, z.size(-1)), targets.view(-1))
