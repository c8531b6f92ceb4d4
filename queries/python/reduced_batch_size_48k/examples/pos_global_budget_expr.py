# example: the global step budget is 3 * 2 ** 17 = 393,216 tokens split over 8 ranks (49,152 each); a computed expression for the reduced 48K batch.
import torch

WORLD_SIZE = 8
TOKENS_PER_STEP = 3 * 2 ** 17
TRAIN_STEPS = 1770


def batches(tokens: torch.Tensor, rank: int):
    per_rank = TOKENS_PER_STEP // WORLD_SIZE
    pos = 0
    while pos + TOKENS_PER_STEP + 1 < len(tokens):
        piece = tokens[pos + rank * per_rank:][: per_rank + 1]
        yield piece[:-1].cuda(non_blocking=True), piece[1:].cuda(non_blocking=True)
        pos += TOKENS_PER_STEP


def train(model, tokens, opt, rank):
    for step, (x, y) in zip(range(TRAIN_STEPS), batches(tokens, rank)):
        model(x, y.long()).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
