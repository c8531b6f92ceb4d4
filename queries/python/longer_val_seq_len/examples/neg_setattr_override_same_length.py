# example: the setattr override list sets val_seq_len to the training length 64 * 1024 again; validation is no longer than training; negative.
import torch


class Hyperparameters:
    train_seq_len = 64 * 1024
    val_seq_len = 64 * 1024


args = Hyperparameters()
OVERRIDES = [
    ("val_seq_len", 64 * 1024),
]
for k, v in OVERRIDES:
    setattr(args, k, v)


def batches(tokens, length, rank, world):
    pos = rank * length
    while pos + length + 1 <= len(tokens):
        buf = tokens[pos:pos + length + 1]
        yield buf[:-1], buf[1:]
        pos += world * length


def run(model, opt, train_tokens, val_tokens, rank, world, steps):
    for step, (x, y) in zip(range(steps), batches(train_tokens, args.train_seq_len, rank, world)):
        model(x.cuda(), y.cuda()).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    with torch.no_grad():
        losses = [model(x.cuda(), y.cuda()) for x, y in batches(val_tokens, args.val_seq_len, rank, world)]
    return sum(losses) / len(losses)
