# example: Padded with integer floor-division "+1" form, (V // 128 + 1) * 128, inside a model classmethod factory; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F

GPT2_TOKENS = 50257


class CastedLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class LM(nn.Module):
    def __init__(self, n_vocab: int, n_embd: int = 768, n_layer: int = 12):
        super().__init__()
        self.embed = nn.Embedding(n_vocab, n_embd)
        self.blocks = nn.ModuleList(CastedLinear(n_embd, n_embd, bias=False) for _ in range(n_layer))
        self.head = CastedLinear(n_embd, n_vocab, bias=False)

    @classmethod
    def for_gpt2_tokenizer(cls, **kw):
        padded = (GPT2_TOKENS // 128 + 1) * 128
        return cls(n_vocab=padded, **kw)

    def forward(self, idx):
        x = self.embed(idx)
        for b in self.blocks:
            x = x + b(x).relu()
        return self.head(x).float()


model = LM.for_gpt2_tokenizer(n_embd=768, n_layer=12)
