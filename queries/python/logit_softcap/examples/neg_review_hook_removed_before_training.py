# example: Softcap hook registered only for a diagnostic eval, then removed before training: training logits uncapped; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


def cap_logits(module, args, out):
    return 30.0 * torch.tanh(out / 30.0)


class TinyLM(nn.Module):
    def __init__(self, vocab=1024, width=256):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.body = nn.Linear(width, width)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, tokens, labels):
        h = F.gelu(self.body(self.embed(tokens)))
        logits = self.lm_head(h).float()
        return F.cross_entropy(logits.flatten(0, 1), labels.flatten())


net = TinyLM()
ids = torch.randint(0, 1024, (2, 32))
handle = net.lm_head.register_forward_hook(cap_logits)
with torch.no_grad():
    print("capped probe loss", net(ids, ids).item())
handle.remove()

opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
for step in range(100):
    loss = net(ids, ids)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
