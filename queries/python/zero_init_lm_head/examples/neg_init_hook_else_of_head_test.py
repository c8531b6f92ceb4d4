# example: an _init_weights hook run by self.apply tests `module is self.lm_head` but draws the head from a normal distribution and zeroes only the other Linear layers in the else branch; the head does not start at zero; negative.
import torch.nn as nn


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            if module is self.lm_head:
                nn.init.normal_(module.weight, std=0.02)
            else:
                nn.init.zeros_(module.weight)

    def forward(self, idx):
        x = self.wte(idx)
        for block in self.blocks:
            x = x + block(x)
        return self.lm_head(x)
