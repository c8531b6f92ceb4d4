# example: torchao's convert_to_float8_training swaps in FP8 training matmuls for the module named lm_head only; a library spelling of the FP8 lm_head.
import torch
from torch import nn
from torchao.float8 import Float8LinearConfig, convert_to_float8_training


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_layer=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(n_layer))
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        x = self.embed(idx)
        for b in self.blocks:
            x = x + b(x)
        return self.lm_head(x)


def only_head(module: nn.Module, fqn: str) -> bool:
    return fqn == "lm_head"


model = GPT().cuda()
convert_to_float8_training(model, config=Float8LinearConfig(), module_filter_fn=only_head)
model = torch.compile(model)
