# example: get_parameter_names(model, [nn.LayerNorm]) leaves out the norms; the names not in that set are the norm weights, not the embedding, so the 0.3 Adam does not hold the embedding; NOT present.
import torch
from torch import nn
from transformers.trainer_pt_utils import get_parameter_names


class LMHeadModel(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.ln = nn.LayerNorm(d)
        self.h = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(12))
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.ln(self.wte(idx))
        for layer in self.h:
            x = x + layer(x)
        return self.lm_head(x)


model = LMHeadModel()
named = dict(model.named_parameters())
outside_norms = set(get_parameter_names(model, [nn.LayerNorm]))
norm_names = [n for n in named if n not in outside_norms]
head_names = [n for n in named if n.startswith("lm_head.")]
norm_adam = torch.optim.Adam([named[n] for n in norm_names], lr=0.3, betas=(0.8, 0.95))
head_adam = torch.optim.Adam([named[n] for n in head_names], lr=0.002, betas=(0.8, 0.95))
