# example: GPT-2's raw vocabulary of 50257 for both the embedding and the lm_head; negative.
from dataclasses import dataclass
import torch.nn as nn


@dataclass
class GPTConfig:
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.wte.weight = self.lm_head.weight


num_vocab = 50257
model = GPT(GPTConfig(vocab_size=num_vocab))
