# example: GPT forward upcasts lm_head logits with .float() before F.cross_entropy, under bf16 autocast; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab_size=50257, n_embd=768):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.block = nn.Linear(n_embd, n_embd, bias=False)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.wte.weight = self.lm_head.weight

    def forward(self, idx, targets=None):
        x = self.wte(idx)
        x = x + self.block(F.rms_norm(x, (x.size(-1),)))
        x = F.rms_norm(x, (x.size(-1),))
        logits = self.lm_head(x)
        logits = logits.float()  # loss in fp32
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss


model = GPT().cuda()
ctx = torch.amp.autocast(device_type="cuda", dtype=torch.bfloat16)
with ctx:
    _, loss = model(torch.randint(0, 50257, (2, 64), device="cuda"), torch.randint(0, 50257, (2, 64), device="cuda"))
loss.backward()
