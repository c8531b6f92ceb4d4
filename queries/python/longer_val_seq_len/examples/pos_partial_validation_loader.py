# example: training and validation loaders are one function partially applied with different lengths; the validation one (held in a validation name) reads 4 x 64K tokens, training 48K; positive.

from functools import partial

import torch

SEQ = 48 * 1024
VAL_SEQ = 4 * 64 * 1024


def flat_batch(tokens, n, i):
    start = (i * n) % (len(tokens) - n - 1)
    chunk = torch.as_tensor(tokens[start:start + n + 1])
    return chunk[:-1], chunk[1:]


def run(model, train_tokens, val_tokens, steps):
    get_train = partial(flat_batch, train_tokens, SEQ)
    get_val = partial(flat_batch, val_tokens, VAL_SEQ)
    for step in range(steps):
        model(*get_train(step)).backward()
    model.eval()
    with torch.no_grad():
        return sum(model(*get_val(i)).item() for i in range(4)) / 4
