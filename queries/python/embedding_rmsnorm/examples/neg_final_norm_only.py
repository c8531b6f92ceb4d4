# example: near miss - rms_norm is used in every block and after the last block, but the raw embedding enters the residual stream; negative.
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab_size=50304, n_embd=768, n_layer=12):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.h = nn.ModuleList([nn.Linear(n_embd, n_embd, bias=False) for _ in range(n_layer)])
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)

    def forward(self, idx):
        x = self.wte(idx)
        for i, block in enumerate(self.h):
            normed = F.rms_norm(x, (x.size(-1),))  # block 0 sees the normalized embedding only here
            x = x + block(normed)
        x = F.rms_norm(x, (x.size(-1),))
        return self.lm_head(x)
