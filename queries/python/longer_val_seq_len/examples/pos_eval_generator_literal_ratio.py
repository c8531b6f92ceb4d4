# example: training reads SEQ_LEN = 64 * 1024 tokens per rank, validation under torch.no_grad() reads VAL_LEN = 4 * SEQ_LEN through the same generator; a separate, four times longer validation length.
import torch

SEQ_LEN = 64 * 1024
VAL_LEN = 4 * SEQ_LEN


def batches(tokens, length, rank, world):
    pos = rank * length
    while pos + length + 1 <= len(tokens):
        buf = tokens[pos:pos + length + 1]
        yield buf[:-1], buf[1:]
        pos += world * length


def run(model, opt, train_tokens, val_tokens, rank, world, steps):
    for step, (x, y) in zip(range(steps), batches(train_tokens, SEQ_LEN, rank, world)):
        model(x.cuda(), y.cuda()).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    with torch.no_grad():
        losses = [model(x.cuda(), y.cuda()) for x, y in batches(val_tokens, VAL_LEN, rank, world)]
    return sum(losses) / len(losses)
