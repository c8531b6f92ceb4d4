# example: near miss - the dataclass default says n_head = 6, but the model is instantiated with GPTConfig(n_head=12, n_embd=768); negative (the built model has head dim 64).
from dataclasses import dataclass
import torch.nn as nn


@dataclass
class GPTConfig:
    vocab_size: int = 50304
    n_layer: int = 12
    n_head: int = 6  # head dim 128 experiment
    n_embd: int = 768


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_head = config.n_head
        self.head_dim = config.n_embd // config.n_head
        self.c_q = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.c_k = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.c_v = nn.Linear(config.n_embd, config.n_embd, bias=False)


num_vocab = 50304
config = GPTConfig(vocab_size=num_vocab, n_layer=12, n_head=12, n_embd=768)
blocks = nn.ModuleList(Attention(config) for _ in range(config.n_layer))
