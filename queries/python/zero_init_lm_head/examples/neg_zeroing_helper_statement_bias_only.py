# example: near miss - the head is handed to a helper, but the helper zeroes only the bias of the module it is given; the head's weight keeps its random init; negative.
import torch.nn as nn
import torch.nn.functional as F


def zero_bias_(module):
    nn.init.zeros_(module.bias)
    return module


class GPT(nn.Module):
    def __init__(self, *, vocab=50304, dim=768, depth=12, zero_init_logits=True):
        super().__init__()
        self.token_emb = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList([nn.Linear(dim, dim, bias=False) for _ in range(depth)])
        self.to_logits = nn.Linear(dim, vocab, bias=True)
        if zero_init_logits:
            zero_bias_(self.to_logits)

    def forward(self, idx):
        x = F.rms_norm(self.token_emb(idx), (768,))
        for layer in self.layers:
            x = x + layer(F.rms_norm(x, (768,)))
        return self.to_logits(F.rms_norm(x, (768,))).float()
