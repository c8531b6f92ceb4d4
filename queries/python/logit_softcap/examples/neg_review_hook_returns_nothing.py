# example: A forward hook on the head records how often the capped logits would saturate; it returns nothing, so the logits are unchanged; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F

saturation = []


def monitor_cap(module, args, out):
    capped = 30.0 * torch.tanh(out / 30.0)
    saturation.append((capped.abs() > 29.0).float().mean().item())


class TinyLM(nn.Module):
    def __init__(self, vocab=1024, width=256):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.body = nn.Linear(width, width)
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.lm_head.register_forward_hook(monitor_cap)

    def forward(self, tokens, labels):
        h = F.gelu(self.body(self.embed(tokens)))
        logits = self.lm_head(h).float()
        return F.cross_entropy(logits.flatten(0, 1), labels.flatten())


net = TinyLM()
opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
ids = torch.randint(0, 1024, (2, 32))
for step in range(100):
    net(ids, ids).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
print(sum(saturation) / len(saturation))
