# example: validation has its own length setting but it is shorter (32K) than training's 64K; a separate length that is not longer, so NOT present.
import torch

TRAIN_LEN = 64 * 1024
VAL_LEN = 32 * 1024


def slices(tokens, length, rank, world):
    pos = rank * length
    while pos + length + 1 <= len(tokens):
        yield tokens[pos:pos + length + 1]
        pos += world * length


def train(model, opt, tokens, rank, world):
    for buf in slices(tokens, TRAIN_LEN, rank, world):
        model(buf[:-1].cuda(), buf[1:].cuda()).backward()
        opt.step()


@torch.no_grad()
def validate(model, tokens, rank, world):
    return [model(b[:-1].cuda(), b[1:].cuda()) for b in slices(tokens, VAL_LEN, rank, world)]
