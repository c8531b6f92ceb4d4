# example: near miss - logits.float() exists, but only in the inference branch that computes no loss; the training loss uses the raw autocast logits; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab_size=50257, n_embd=768):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)

    def forward(self, idx, targets=None):
        x = self.wte(idx)
        if targets is None:
            # sampling path: only the last position, upcast for softmax sampling
            return self.lm_head(x[:, -1:, :]).float(), None
        scores = self.lm_head(x)
        loss = F.cross_entropy(scores.flatten(0, 1), targets.flatten())
        return scores, loss


model = GPT().cuda()
with torch.amp.autocast(device_type="cuda", dtype=torch.bfloat16):
    _, loss = model(torch.randint(0, 50257, (2, 64), device="cuda"), torch.randint(0, 50257, (2, 64), device="cuda"))
loss.backward()
