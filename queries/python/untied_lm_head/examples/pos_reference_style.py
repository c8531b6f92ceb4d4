# example: GPT with transformer.wte and a separate lm_head Linear, no tying line, logits from lm_head; positive.
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

    def forward(self, idx, targets):
        x = F.rms_norm(self.transformer.wte(idx), (self.transformer.wte.embedding_dim,))
        for block in self.transformer.h:
            x = x + block(F.rms_norm(x, (x.size(-1),)))
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
