# example: the table's weight gets a parametrization too, but it divides the whole table by one root mean square (W * W.pow(2).mean().rsqrt()), so looked-up vectors are not normalized one by one; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.parametrize as parametrize


class RowRMSNorm(nn.Module):
    def forward(self, W):
        return W * W.pow(2).mean().rsqrt()


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
