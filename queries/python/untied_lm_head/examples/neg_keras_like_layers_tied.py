# example: the same Keras-like layers, but the read-out multiplies by the Embedding layer's own table, transposed: one shared matrix; NOT present.
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


class Embedding(Layer):
    def __init__(self, vocab, width):
        super().__init__()
        self.embeddings = nn.Parameter(torch.randn(vocab, width) * 0.02)

    def call(self, ids):
        return F.embedding(ids, self.embeddings)


class TinyLM(Layer):
    def __init__(self, vocab=50304, width=768, cap=30.0):
        super().__init__()
        self.cap = cap
        self.tok = Embedding(vocab, width)

    def call(self, ids):
        x = F.rms_norm(self.tok(ids), (768,))
        return x @ self.tok.embeddings.T


model = TinyLM()
ids = torch.randint(0, 50304, (4, 64))
loss = F.cross_entropy(model(ids).view(-1, 50304), ids.view(-1))
loss.backward()
