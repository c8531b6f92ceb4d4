# example: near miss - .float() is applied to the loss returned by cross_entropy, while the logits fed to it stay bf16; negative (cast on the wrong tensor).
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab_size=50257, n_embd=768):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)

    def forward(self, idx, targets):
        x = F.rms_norm(self.wte(idx), (768,))
        logits = self.lm_head(x)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return loss.float()


model = GPT().cuda().bfloat16()
idx = torch.randint(0, 50257, (2, 64), device="cuda")
loss = model(idx, idx)
loss.backward()
