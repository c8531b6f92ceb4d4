# example: the same Lightning-style module and two-deep trainer, but the hyperparameters give window_min == window_max (1792): the window never grows; NOT present.
import torch
import torch.nn.functional as F
from types import SimpleNamespace
from torch.nn.attention.flex_attention import create_block_mask


def save_hyperparameters(**kwargs):
    return SimpleNamespace(**kwargs)


class GPT(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(50304, 768)
        self.lm_head = torch.nn.Linear(768, 50304, bias=False)

    def forward(self, idx, target, window_tokens):
        def mask_mod(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (q_idx - kv_idx < window_tokens)
        block_mask = create_block_mask(mask_mod, None, None, len(idx), len(idx), device="cuda")
        x = self.embed(idx[None])
        return F.cross_entropy(self.lm_head(x).float().view(-1, 50304), target.view(-1))


class LitGPT(torch.nn.Module):
    def __init__(self, **hparams):
        super().__init__()
        self.hparams = save_hyperparameters(**hparams)
        self.model = GPT()
        self.window_tokens = torch.tensor(self.hparams.window_min, dtype=torch.int, device="cuda")

    def on_train_batch_start(self, batch, step):
        hp = self.hparams
        frac = step / hp.num_iterations
        tokens = hp.window_block * int((hp.window_min + frac * (hp.window_max - hp.window_min)) // hp.window_block)
        self.window_tokens.fill_(tokens)

    def training_step(self, batch, step):
        inputs, targets = batch
        return self.model(inputs, targets, window_tokens=self.window_tokens)


class Trainer:
    def __init__(self, max_steps):
        self.max_steps = max_steps

    def _accumulate_and_backward(self, module, batch, step):
        loss = module.training_step(batch, step)
        loss.backward()
        return loss.detach()

    def fit(self, module, loader, optimizer):
        for step in range(self.max_steps + 1):
            batch = loader.next_batch()
            module.on_train_batch_start(batch, step)
            self._accumulate_and_backward(module, batch, step)
            optimizer.step()
            module.zero_grad(set_to_none=True)


lit = LitGPT(num_iterations=1750, window_min=1792, window_max=1792, window_block=64)
Trainer(max_steps=1750).fit(lit, loader=None, optimizer=torch.optim.Adam(lit.parameters(), lr=0.001))
