# example: the model is built in __main__ and passed to a train() function; its forward returns the logits cast with .float(), and the loss is taken in train(); positive.
import torch
import torch.nn as nn
import torch.nn.functional as F

class TinyLM(nn.Module):
    def __init__(self, vocab=50304, dim=256):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.readout = nn.Linear(dim, vocab, bias=False)

    def forward(self, x):
        return self.readout(F.rms_norm(self.emb(x), (256,))).float()

def train(model, batches):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    for x, y in batches:
        loss = F.cross_entropy(model(x).view(-1, 50304), y.reshape(-1))
        loss.backward()
        opt.step()

if __name__ == "__main__":
    train(TinyLM().cuda(), [])
