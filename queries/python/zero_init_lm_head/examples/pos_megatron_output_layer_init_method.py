# example: an untied output layer built from a Megatron-style linear whose init_method is a zeroing lambda;
# positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class ColumnParallelLinear(nn.Module):
    def __init__(self, in_f, out_f, init_method=nn.init.xavier_normal_):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_f, in_f))
        init_method(self.weight)

    def forward(self, x):
        return F.linear(x, self.weight)


class LanguageModel(nn.Module):
    def __init__(self, vocab=50304, h=768):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, h)
        self.output_layer = ColumnParallelLinear(h, vocab, init_method=lambda w: nn.init.zeros_(w))

    def forward(self, tokens, labels):
        logits = self.output_layer(F.rms_norm(self.word_embeddings(tokens), (768,))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))
