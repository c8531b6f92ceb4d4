# example: the same identity parametrization on the untied head, but its right_inverse keeps a small copy of the weight (W * 0.02), so the head starts small, not at zero; NOT present.
import torch
import torch.nn as nn
import torch.nn.utils.parametrize as parametrize


class ZeroInit(nn.Module):
    def forward(self, W):
        return W

    def right_inverse(self, W):
        return W * 0.02


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        parametrize.register_parametrization(self.lm_head, "weight", ZeroInit())

    def forward(self, idx):
        return self.lm_head(self.wte(idx))


model = GPT()
