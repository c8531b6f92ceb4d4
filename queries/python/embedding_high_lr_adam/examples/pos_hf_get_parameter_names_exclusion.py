# example: Hugging Face's get_parameter_names(model, [nn.Embedding]) lists the parameters outside embedding tables; the names not in that set are the embedding's, which get their own Adam at 0.3 beside a head Adam at 0.002; positive.
import torch
from torch import nn
from transformers.trainer_pt_utils import get_parameter_names


class LMHeadModel(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.h = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(12))
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.wte(idx)
        for layer in self.h:
            x = x + layer(x)
        return self.lm_head(x)


model = LMHeadModel()
named = dict(model.named_parameters())
outside_tables = set(get_parameter_names(model, [nn.Embedding]))
table_names = [n for n in named if n not in outside_tables]
head_names = [n for n in named if n.startswith("lm_head.")]
embedding_adam = torch.optim.Adam([named[n] for n in table_names], lr=0.3, betas=(0.8, 0.95))
head_adam = torch.optim.Adam([named[n] for n in head_names], lr=0.002, betas=(0.8, 0.95))
