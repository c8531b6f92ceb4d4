# example: a helper like get_parameter_names but keeping the children of the given types (`if isinstance(child, ...)`, not negated): the names not in its set are everything but the embedding, so the 0.3 Adam holds the blocks and the head; NOT present.
import torch
from torch import nn


def parameter_names_outside(module, forbidden_layer_types):
    names = []
    for child_name, child in module.named_children():
        names += [f"{child_name}.{n}" for n in parameter_names_outside(child, forbidden_layer_types)
                  if isinstance(child, tuple(forbidden_layer_types))]
    names += list(module._parameters.keys())
    return names


def get_parameter_names(module, forbidden_layer_types):
    return parameter_names_outside(module, forbidden_layer_types)


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
outside_tables = set(parameter_names_outside(model, [nn.Embedding]))
table_names = [n for n in named if n not in outside_tables]
head_names = [n for n in named if n.startswith("lm_head.")]
embedding_adam = torch.optim.Adam([named[n] for n in table_names], lr=0.3, betas=(0.8, 0.95))
head_adam = torch.optim.Adam([named[n] for n in head_names], lr=0.002, betas=(0.8, 0.95))
