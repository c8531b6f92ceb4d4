# example: The sigmoid cap module is built and put on the model under a name the forward never reads (the tanh cap stays in place); NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F


class TanhSquash(nn.Module):
    def __init__(self, bound=15.0):
        super().__init__()
        self.bound = bound

    def forward(self, z):
        return self.bound * torch.tanh(z / self.bound)


class SigmoidSquash(nn.Module):
    def __init__(self, top=30.0, temp=7.5):
        super().__init__()
        self.top, self.temp = top, temp

    def forward(self, z):
        return self.top * torch.sigmoid(z.float() / self.temp)


class LM(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.body = nn.Sequential(*[nn.Linear(width, width, bias=False) for _ in range(4)])
        self.unembed = nn.Linear(width, vocab, bias=False)
        self.squash = TanhSquash(15.0)

    def forward(self, ids, labels):
        h = self.body(self.embed(ids))
        z = self.squash(self.unembed(F.rms_norm(h, (h.size(-1),))))
        return F.cross_entropy(z.float().view(-1, z.size(-1)), labels.view(-1))


def upgrade(model, top, temp):
    model.squash_for_export = SigmoidSquash(top, temp)
    return model


net = upgrade(LM(), 30.0, 7.5)
ids = torch.randint(0, 50304, (2, 32))
net(ids, ids).backward()
