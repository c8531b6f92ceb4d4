# example: a Lightning-style module: the trainer loop calls the hook on_train_batch_start(batch, step), which sets self.window_tokens = torch.tensor(64 + 64 * int(batch_idx / max_steps * 27)), then back-propagates what training_step returns, self.net(x, y, self.window_tokens), whose forward builds the sliding-window mask from it: the window grows 64 -> 1792; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50304, 768)
        self.lm_head = nn.Linear(768, 50304, bias=False)

    def forward(self, idx, target, window_tokens):
        def mask_mod(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (q_idx - kv_idx < window_tokens)
        block_mask = create_block_mask(mask_mod, None, None, len(idx), len(idx), device="cuda")
        x = self.embed(idx[None])
        return F.cross_entropy(self.lm_head(x).float().view(-1, 50304), target.view(-1))


class LitGPT(nn.Module):
    def __init__(self, max_steps=1750):
        super().__init__()
        self.net = GPT()
        self.max_steps = max_steps
        self.window_tokens = None

    def training_step(self, batch, batch_idx):
        x, y = batch
        return self.net(x, y, self.window_tokens)

    def on_train_batch_start(self, batch, batch_idx):
        span = 64 + 64 * int(batch_idx / self.max_steps * 27)
        self.window_tokens = torch.tensor(span, dtype=torch.int, device="cuda")


class Trainer:
    def __init__(self, max_steps):
        self.max_steps = max_steps

    def fit(self, lit, loader):
        opt = torch.optim.Adam(lit.parameters(), lr=1e-3)
        for step in range(self.max_steps):
            batch = loader.next_batch()
            lit.on_train_batch_start(batch, step)
            loss = lit.training_step(batch, step)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)


def main(loader):
    lit = LitGPT(max_steps=1750)
    Trainer(max_steps=1750).fit(lit, loader)
