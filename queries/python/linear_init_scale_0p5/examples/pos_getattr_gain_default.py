# example: a ScaledLinear subclass stores init_gain=0.5 and its reset_parameters reads it with getattr(self, "init_gain", 0.5), drawing U(-b, b) with b = 3**0.5 * 0.5 * in_features**-0.5; the model's hidden layers are built from it; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class ScaledLinear(nn.Linear):
    def __init__(self, fan_in, fan_out, init_gain=0.5):
        super().__init__(fan_in, fan_out, bias=False)
        self.init_gain = init_gain
        self.reset_parameters()

    def reset_parameters(self):
        gain = getattr(self, "init_gain", 0.5)
        std = gain * self.in_features ** -0.5
        bound = 3 ** 0.5 * std
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = ScaledLinear(width, 3 * width)
        self.proj = ScaledLinear(width, width)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, C // self.heads).unbind(2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.attn = Attention(width, heads)
        self.fc = ScaledLinear(width, 4 * width)
        self.out = ScaledLinear(4 * width, width)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.out(F.relu(self.fc(F.rms_norm(x, (x.size(-1),)))).square())


class GPT(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=12, heads=6):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        x = self.embed(idx)
        for blk in self.blocks:
            x = blk(x)
        return self.lm_head(F.rms_norm(x, (x.size(-1),))).float()


model = GPT().cuda()
opt = torch.optim.AdamW(model.parameters(), lr=6e-4, betas=(0.9, 0.95), weight_decay=0.0)
for _ in range(20):
    idx = torch.randint(0, 50304, (2, 256), device="cuda")
    logits = model(idx)
    F.cross_entropy(logits.view(-1, 50304), idx.roll(-1, 1).view(-1)).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
