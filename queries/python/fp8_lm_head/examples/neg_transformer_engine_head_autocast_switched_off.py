# example: the readout is a te.Linear, but the fp8_autocast around the training step is enabled by a flag whose default is off, so Transformer Engine computes the head in bf16; negative.
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
import transformer_engine.pytorch as te

parser = argparse.ArgumentParser()
parser.add_argument("--fp8", action="store_true")
args = parser.parse_args()


class Decoder(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=12):
        super().__init__()
        self.tokens = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = te.Linear(width, vocab, bias=False)

    def forward(self, ids, labels):
        h = self.tokens(ids)
        for layer in self.layers:
            h = h + F.relu(layer(h)).square()
        logits = self.lm_head(F.rms_norm(h, (h.size(-1),)).flatten(0, 1))
        return F.cross_entropy(logits.float(), labels.flatten())


def train(model, batches, opt, steps):
    for step, (ids, labels) in zip(range(steps), batches):
        with te.fp8_autocast(enabled=args.fp8):
            loss = model(ids, labels)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
