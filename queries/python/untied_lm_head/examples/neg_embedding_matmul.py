# example: near miss - there is no "wte.weight = lm_head.weight" line (and no lm_head module), but logits are computed with F.linear on the embedding weight, which is tying; negative.
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab_size=50304, n_embd=768, n_layer=12):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.h = nn.ModuleList([nn.Linear(n_embd, n_embd, bias=False) for _ in range(n_layer)])

    def forward(self, idx, targets):
        x = self.wte(idx)
        for block in self.h:
            x = x + block(F.rms_norm(x, (x.size(-1),)))
        x = F.rms_norm(x, (x.size(-1),))
        logits = F.linear(x, self.wte.weight).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
