# example: untied lm_head Linear zeroed with weight.data.zero_() in GPT.__init__; positive.
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab_size=50304, n_embd=768, n_layer=12):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd),
            h=nn.ModuleList([nn.Linear(n_embd, n_embd, bias=False) for _ in range(n_layer)]),
        ))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.lm_head.weight.data.zero_()

    def forward(self, idx):
        x = F.rms_norm(self.transformer.wte(idx), (768,))
        for blk in self.transformer.h:
            x = x + blk(x)
        return self.lm_head(F.rms_norm(x, (768,))).float()
