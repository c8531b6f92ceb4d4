# example: an auxiliary value head (its own class) bounds its scalar prediction with a tanh hook on its own head attribute; the language model's head of the same name is uncapped; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


def bound_value(module, args, out):
    return 30.0 * torch.tanh(out / 30.0)


class ValueHead(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.head = nn.Linear(width, 1)
        self.head.register_forward_hook(bound_value)

    def forward(self, h):
        return self.head(h).squeeze(-1)


class TinyLM(nn.Module):
    def __init__(self, vocab=1024, width=256):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.body = nn.Linear(width, width)
        self.head = nn.Linear(width, vocab, bias=False)
        self.value = ValueHead(width)

    def forward(self, tokens, labels, returns):
        h = F.gelu(self.body(self.embed(tokens)))
        logits = self.head(h).float()
        lm_loss = F.cross_entropy(logits.flatten(0, 1), labels.flatten())
        return lm_loss + F.mse_loss(self.value(h), returns)


net = TinyLM()
opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
ids = torch.randint(0, 1024, (2, 32))
for step in range(100):
    net(ids, ids, torch.randn(2, 32)).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
