# example: a Keras-like layer base whose forward hands every call to self.call; the model's call caps the logits with 30 * tanh(logits / 30); present.
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


class TinyLM(Layer):
    def __init__(self, vocab=50304, width=768, cap=30.0):
        super().__init__()
        self.cap = cap
        self.tok = nn.Embedding(vocab, width)
        self.lm_head = Dense(width, vocab)

    def call(self, ids):
        x = F.rms_norm(self.tok(ids), (768,))
        logits = self.lm_head(x)
        return self.cap * torch.tanh(logits / self.cap)


model = TinyLM()
ids = torch.randint(0, 50304, (4, 64))
loss = F.cross_entropy(model(ids).view(-1, 50304), ids.view(-1))
loss.backward()
