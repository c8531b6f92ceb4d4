# example: Transformer Engine from the training loop: the readout is a te.LayerNormLinear (norm and vocabulary projection in one layer), and every training step runs the model under te.fp8_autocast with a delayed-scaling recipe; the blocks stay nn.Linear; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from transformer_engine import pytorch as te_torch
from transformer_engine.common import recipe

SCALING = recipe.DelayedScaling(fp8_format=recipe.Format.HYBRID, amax_history_len=16)


class Decoder(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=12):
        super().__init__()
        self.tokens = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.readout_head = te_torch.LayerNormLinear(width, vocab, bias=False, normalization="RMSNorm")

    def forward(self, ids, labels):
        h = self.tokens(ids)
        for layer in self.layers:
            h = h + F.relu(layer(h)).square()
        logits = self.readout_head(h.flatten(0, 1))
        return F.cross_entropy(logits.float(), labels.flatten())


def train(model, batches, opt, steps):
    for step, (ids, labels) in zip(range(steps), batches):
        with te_torch.fp8_autocast(enabled=True, fp8_recipe=SCALING):
            loss = model(ids, labels)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
