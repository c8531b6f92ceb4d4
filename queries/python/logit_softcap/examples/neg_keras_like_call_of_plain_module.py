# example: a Keras-like layer base hands calls to self.call, but the model is a plain nn.Module whose forward returns the raw logits; its own method named call caps them and nothing calls it; NOT present.
import torch
import torch.nn.functional as F
from torch import nn


class Layer(nn.Module):
    def forward(self, *args, **kwargs):
        return self.call(*args, **kwargs)

    def call(self, *args, **kwargs):
        raise NotImplementedError


class Dense(Layer):
    def __init__(self, n_in, units):
        super().__init__()
        self.kernel = nn.Parameter(torch.randn(n_in, units) * 0.02)

    def call(self, x):
        return x @ self.kernel


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, cap=30.0):
        super().__init__()
        self.cap = cap
        self.tok = nn.Embedding(vocab, width)
        self.lm_head = Dense(width, vocab)

    def forward(self, ids):
        x = F.rms_norm(self.tok(ids), (768,))
        return self.lm_head(x)

    def call(self, ids):
        logits = self.forward(ids)
        return self.cap * torch.tanh(logits / self.cap)


model = TinyLM()
ids = torch.randint(0, 50304, (4, 64))
loss = F.cross_entropy(model(ids).view(-1, 50304), ids.view(-1))
loss.backward()
