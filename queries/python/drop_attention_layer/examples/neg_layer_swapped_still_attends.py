# example: near miss - layer 7 is swapped after the build for a LoggedLayer, a subclass that counts its calls and then runs the parent forward (attention included) through super().forward; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).transpose(1, 3).unbind(2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, d))


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.up = nn.Linear(dim, 4 * dim, bias=False)
        self.down = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x):
        return self.down(F.relu(self.up(x)).square())


class Layer(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.mix = SelfAttention(dim, heads)
        self.ff = FeedForward(dim)

    def forward(self, x):
        x = x + self.mix(F.rms_norm(x, (x.size(-1),)))
        return x + self.ff(F.rms_norm(x, (x.size(-1),)))


class LoggedLayer(Layer):
    def __init__(self, dim, heads):
        super().__init__(dim, heads)
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        return super().forward(x)


class Net(nn.Module):
    def __init__(self, vocab=50304, dim=768, heads=6, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList([Layer(dim, heads) for _ in range(depth)])
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        x = self.embed(idx)
        for layer in self.layers:
            x = layer(x)
        return self.head(F.rms_norm(x, (x.size(-1),)))


net = Net()
net.layers[7] = LoggedLayer(768, 6)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for step in range(100):
    idx = torch.randint(0, 50304, (4, 64))
    loss = F.cross_entropy(net(idx[:, :-1]).flatten(0, 1), idx[:, 1:].flatten())
    loss.backward()
    opt.step()
    opt.zero_grad()
