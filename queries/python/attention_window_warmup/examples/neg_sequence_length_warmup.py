# example: a per-step length grows with the step and is passed to the model, but the model's forward uses it to crop the sequence, never in an attention mask; sequence-length warmup, NOT window warmup (near miss).
import torch
from torch import nn
import torch.nn.functional as F

class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50304, 768)
        self.head = nn.Linear(768, 50304)
    def forward(self, idx, targets, seq_len):
        idx, targets = idx[:, :seq_len], targets[:, :seq_len]
        x = self.emb(idx)
        return F.cross_entropy(self.head(x).flatten(0, 1), targets.flatten())

model = GPT().cuda()
model = torch.compile(model)
STEPS = 2000
def train(loader, opt):
    for step in range(STEPS):
        seq_len = min(256 + 8 * step, 1024)
        x, y = loader.next_batch()
        loss = model(x, y, seq_len)
        loss.backward()
        opt.step()
