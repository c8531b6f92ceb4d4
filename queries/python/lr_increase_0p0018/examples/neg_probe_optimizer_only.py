# example: near miss - 0.0018 is the learning rate of an AdamW that fits a throwaway linear probe on frozen
# features; the model itself trains with lr 1e-3; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F

MODEL_LR = 1e-3
PROBE_LR = 0.0018


class Tiny(nn.Module):
    def __init__(self, vocab=50304, width=256):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.mix = nn.Linear(width, width)
        self.out = nn.Linear(width, vocab, bias=False)

    def features(self, idx):
        return F.gelu(self.mix(self.emb(idx)))

    def forward(self, idx):
        return self.out(self.features(idx))


def fit_probe(model, idx, labels, width=256, vocab=50304):
    reader = nn.Linear(width, vocab, bias=False)
    tuner = torch.optim.AdamW(reader.parameters(), lr=PROBE_LR)
    with torch.no_grad():
        feats = model.features(idx)
    for _ in range(50):
        loss = F.cross_entropy(reader(feats).flatten(0, 1), labels.flatten())
        loss.backward()
        tuner.step()
        tuner.zero_grad()
    return loss.item()


model = Tiny()
opt = torch.optim.AdamW(model.parameters(), lr=MODEL_LR, weight_decay=0.0)
