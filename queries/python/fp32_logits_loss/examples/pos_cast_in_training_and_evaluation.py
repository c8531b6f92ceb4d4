# example: the model returns bf16 logits; the training loss casts them with .float() before its cross-entropy, as the evaluation function under torch.no_grad() does too; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyLM(nn.Module):
    def __init__(self, vocab=512, dim=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.body = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        return self.out(torch.relu(self.body(self.emb(idx))))


@torch.no_grad()
def evaluate(model, batches):
    model.eval()
    total = 0.0
    for x, y in batches:
        logits = model(x)
        total += F.cross_entropy(logits.float().flatten(0, 1), y.flatten()).item()
    model.train()
    return total / len(batches)


model = TinyLM().to(torch.bfloat16)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
data = [(torch.randint(0, 512, (4, 32)), torch.randint(0, 512, (4, 32))) for _ in range(8)]
for step, (x, y) in enumerate(data):
    logits = model(x)
    loss = F.cross_entropy(logits.float().flatten(0, 1), y.flatten())
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    if step % 4 == 0:
        print(step, evaluate(model, data[:2]))
