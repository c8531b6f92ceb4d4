# example: one flat stream per GPU lifted to batch 1 with unsqueeze(0), its length an argparse default of 48 * 1024 tokens, the shortest stream a record trains on; positive.
import argparse

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--context_tokens", type=int, default=48 * 1024)
p.add_argument("--steps", type=int, default=1800)
cfg, _ = p.parse_known_args()


def get_window(stream: torch.Tensor, offset: int, length: int):
    piece = stream[offset: offset + length + 1].long()
    return piece[:-1].unsqueeze(0), piece[1:].unsqueeze(0)  # shapes (1, length)


def training_loop(model, opt, stream, rank, world):
    offset = rank * cfg.context_tokens
    for step in range(cfg.steps):
        x, y = get_window(stream, offset, cfg.context_tokens)
        logits = model(x.cuda())
        loss = F.cross_entropy(logits.flatten(0, 1).float(), y.cuda().flatten())
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        offset += world * cfg.context_tokens
