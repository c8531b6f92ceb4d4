# example: the embedding table's weight gets a parametrization whose forward RMS-normalizes each row; a lookup selects rows, so every looked-up token vector comes out normalized before the blocks; present.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.parametrize as parametrize


class RowRMSNorm(nn.Module):
    def forward(self, W):
        return F.rms_norm(W, (W.size(-1),))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=4):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList([nn.Linear(dim, dim, bias=False) for _ in range(depth)])
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        parametrize.register_parametrization(self.wte, "weight", RowRMSNorm())

    def forward(self, idx):
        x = self.wte(idx)
        for block in self.blocks:
            x = x + block(F.rms_norm(x, (x.size(-1),)))
        return self.lm_head(F.rms_norm(x, (x.size(-1),)))
