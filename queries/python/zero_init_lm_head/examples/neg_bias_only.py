# example: near miss - the head has a bias that is zeroed with .zero_(), while its weight keeps a normal init; negative.
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self, vocab_size=50304, n_embd=768):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=True)
        nn.init.normal_(self.lm_head.weight, std=0.02)
        self.lm_head.bias.data.zero_()

    def forward(self, idx):
        return self.lm_head(self.wte(idx))


model = GPT()
