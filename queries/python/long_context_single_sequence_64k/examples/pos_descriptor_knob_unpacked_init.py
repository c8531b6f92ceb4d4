# example: the context length is a class-level descriptor (`sequence_length = Knob(64 * 1024, int)`) whose __init__ stores its default with a tuple unpack (`self.default, self.cast = default, cast`) and whose __get__ returns it; one 64K-token stream per GPU, batch of 1; positive.
import torch
import torch.nn.functional as F


class Knob:
    def __init__(self, default, cast=None):
        self.default, self.cast = default, cast

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return obj.__dict__.get(self.slot, self.default)


class Hyper:
    sequence_length = Knob(64 * 1024, int)
    steps = Knob(1875, int)


args = Hyper()


def window(stream, offset, length):
    piece = stream[offset: offset + length + 1].long()
    return piece[:-1][None], piece[1:][None]


def train(model, opt, stream, rank, world):
    T = args.sequence_length
    offset = rank * T
    for step in range(args.steps):
        x, y = window(stream, offset, T)
        loss = F.cross_entropy(model(x.cuda()).flatten(0, 1).float(), y.cuda().flatten())
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        offset += world * T
