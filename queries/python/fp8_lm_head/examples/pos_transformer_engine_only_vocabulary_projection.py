# example: Transformer Engine: only the vocabulary projection is a te.Linear, run inside te.fp8_autocast during training; positive.
import torch
from torch import nn
import torch.nn.functional as F
import transformer_engine.pytorch as te
from transformer_engine.common.recipe import DelayedScaling, Format

fp8_recipe = DelayedScaling(fp8_format=Format.HYBRID, amax_history_len=16, amax_compute_algo="max")


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(depth))
        self.lm_head = te.Linear(dim, vocab, bias=False)

    def forward(self, idx, targets):
        x = self.embed(idx)
        for blk in self.blocks:
            x = x + blk(F.rms_norm(x, (x.size(-1),)))
        x = F.rms_norm(x, (x.size(-1),)).flatten(0, 1)
        with te.fp8_autocast(enabled=self.training, fp8_recipe=fp8_recipe):
            logits = self.lm_head(x)
        return F.cross_entropy(logits.float(), targets.flatten())
