# example: HF-style config with tie_word_embeddings = True (the default), so the model assigns embed_tokens' weight to lm_head in __init__; negative (tied).
from dataclasses import dataclass

import torch.nn as nn


@dataclass
class LMConfig:
    vocab_size: int = 50304
    hidden_size: int = 768
    num_layers: int = 12
    tie_word_embeddings: bool = True


class CausalLM(nn.Module):
    def __init__(self, config: LMConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(nn.Linear(config.hidden_size, config.hidden_size) for _ in range(config.num_layers))
        self.norm = nn.LayerNorm(config.hidden_size)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        if config.tie_word_embeddings:
            self.lm_head.weight = self.embed_tokens.weight

    def forward(self, input_ids):
        h = self.embed_tokens(input_ids)
        for layer in self.layers:
            h = h + layer(h).relu().square()
        return self.lm_head(self.norm(h)).float()


model = CausalLM(LMConfig())
