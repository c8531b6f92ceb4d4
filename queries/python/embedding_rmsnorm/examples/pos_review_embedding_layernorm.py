# example: BLOOM-style word_embeddings_layernorm: inputs_embeds = word_embeddings(ids); hidden_states = word_embeddings_layernorm(inputs_embeds) feeds the decoder blocks; positive (LayerNorm family).
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.ln = nn.LayerNorm(d)
        self.fc = nn.Linear(d, d)

    def forward(self, x):
        return x + self.fc(self.ln(x))


class BloomLike(nn.Module):
    def __init__(self, vocab_size=50304, hidden_size=768, n_layer=12):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, hidden_size)
        self.word_embeddings_layernorm = nn.LayerNorm(hidden_size)
        self.h = nn.ModuleList(Block(hidden_size) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(hidden_size)

    def forward(self, input_ids):
        inputs_embeds = self.word_embeddings(input_ids)
        hidden_states = self.word_embeddings_layernorm(inputs_embeds)
        for block in self.h:
            hidden_states = block(hidden_states)
        return self.ln_f(hidden_states)


out = BloomLike()(torch.randint(0, 50304, (2, 16)))
