# example: Head zeroed by copying a zeros_like tensor into it under no_grad, done by an outside init function; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab_size=50304, n_embd=768, n_layer=12):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.h = nn.ModuleList(nn.Linear(n_embd, n_embd, bias=False) for _ in range(n_layer))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)

    def forward(self, idx, targets):
        x = F.rms_norm(self.wte(idx), (self.wte.embedding_dim,))
        for blk in self.h:
            x = x + blk(F.rms_norm(x, (x.size(-1),)))
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


@torch.no_grad()
def init_model(m: GPT) -> GPT:
    m.lm_head.weight.copy_(torch.zeros_like(m.lm_head.weight))
    return m


model = init_model(GPT())
