# example: torchao converts the head with a configuration held in a name whose emulate flag is off: real FP8 training matmuls for lm_head.
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


recipe = Float8LinearConfig(emulate=False)
model = TinyGPT().cuda()
convert_to_float8_training(model, module_filter_fn=lambda mod, name: name == "lm_head", config=recipe)
