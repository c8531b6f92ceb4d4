# example: near miss - the step is passed to a training_step method of the module, which only uses it for
# logging; the attention mask is plain causal and never changes; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Task(nn.Module):
    def __init__(self, vocab=50304, d=256):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.emb(idx)
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, 4, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, d))

    def training_step(self, batch, step):
        idx, tgt = batch
        loss = F.cross_entropy(self(idx).flatten(0, 1), tgt.flatten())
        if step % 100 == 0:
            print(step, loss.item())
        return loss


task = Task()
opt = torch.optim.AdamW(task.parameters(), lr=1e-3)
for step in range(1000):
    batch = (torch.randint(0, 50304, (4, 64)), torch.randint(0, 50304, (4, 64)))
    task.training_step(batch, step).backward()
    opt.step()
    opt.zero_grad()
