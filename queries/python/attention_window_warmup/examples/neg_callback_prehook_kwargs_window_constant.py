# example: the same callback and `with_kwargs=True` pre-hook feeding `attn_blocksize=self.window` to the model, dispatched each step by the trainer, but `on_step_begin` refills the tensor with the final 1792 tokens at every step: the window never grows; negative.
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

NUM_ITERATIONS = 1750


class GPT(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx, target, attn_blocksize):
        def window_causal(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (q_idx - kv_idx < attn_blocksize)

        S = idx.size(-1)
        block_mask = create_block_mask(window_causal, None, None, S, S, device="cuda")
        x = self.embed(idx)[None]
        y = flex_attention(x, x, x, block_mask=block_mask)
        logits = self.lm_head(y).float()
        return nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), target.view(-1))


class Callback:
    def on_train_begin(self, trainer): pass
    def on_step_begin(self, step, trainer): pass


class WindowWarmup(Callback):
    def __init__(self, model, num_iterations, start=64, end=1792):
        self.model = model
        self.num_iterations = num_iterations
        self.start, self.end = start, end
        self.window = torch.tensor(start, dtype=torch.int, device="cuda")

    def _inject(self, module, args, kwargs):
        kwargs = dict(kwargs)
        kwargs.setdefault("attn_blocksize", self.window)
        return args, kwargs

    def on_train_begin(self, trainer):
        self.model.register_forward_pre_hook(self._inject, with_kwargs=True)

    def on_step_begin(self, step, trainer):
        self.window.fill_(self.end)


class Trainer:
    def __init__(self, model, optimizer, loader, num_iterations, callbacks):
        self.model = model
        self.optimizer = optimizer
        self.loader = loader
        self.num_iterations = num_iterations
        self.callbacks = callbacks

    def emit(self, event, *args):
        for cb in self.callbacks:
            getattr(cb, event)(*args)

    def fit(self):
        self.emit("on_train_begin", self)
        for step in range(self.num_iterations + 1):
            self.emit("on_step_begin", step, self)
            x, y = self.loader.next_batch()
            loss = self.model(x, y)
            loss.backward()
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)


def main(loader):
    model = GPT().cuda()
    raw_model = model
    model = torch.compile(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.008)
    callbacks = [WindowWarmup(raw_model, NUM_ITERATIONS, start=64, end=1792)]
    Trainer(model, optimizer, loader, NUM_ITERATIONS, callbacks).fit()


if __name__ == "__main__":
    main(None)
