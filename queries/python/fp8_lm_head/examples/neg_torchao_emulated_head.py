# example: torchao converts only the head, but its configuration (held in a name) sets emulate=True: the FP8 casts are simulated and no FP8 matmul runs. NOT fp8_lm_head (near miss).
import torch
from torch import nn
from torchao.float8 import Float8LinearConfig, convert_to_float8_training


class TinyGPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.mix = nn.Linear(dim, dim, bias=False)
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        h = self.embed(idx)
        return self.lm_head(h + self.mix(h))


SIMULATE = True
recipe = Float8LinearConfig(emulate=SIMULATE)
model = TinyGPT()
convert_to_float8_training(model, module_filter_fn=lambda mod, name: name == "lm_head", config=recipe)
