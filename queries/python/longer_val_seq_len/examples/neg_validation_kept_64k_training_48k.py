# example: near miss - training drops to TRAIN_SEQ_LEN = 48*1024 while validation keeps its own EVAL_SEQ_LEN = 64*1024, the length both ran at before: validation is only 1.33x longer because training got shorter, not the 4x (256K) validation length; NOT present.
import torch

TRAIN_SEQ_LEN = 48 * 1024
EVAL_SEQ_LEN = 64 * 1024
ROTARY_LEN = max(TRAIN_SEQ_LEN, EVAL_SEQ_LEN)


def sequences(tokens: torch.Tensor, length: int, rank: int, world: int):
    pos = rank * length
    while pos + length + 1 <= len(tokens):
        chunk = tokens[pos:pos + length + 1]
        yield chunk[:-1], chunk[1:]
        pos += world * length


def run_validation(model, val_tokens, rank, world, n_batches):
    it = sequences(val_tokens, EVAL_SEQ_LEN, rank, world)
    with torch.no_grad():
        return sum(model(x.cuda(), y.cuda()) for _, (x, y) in zip(range(n_batches), it)) / n_batches


def train_batches(train_tokens, rank, world):
    return sequences(train_tokens, TRAIN_SEQ_LEN, rank, world)
