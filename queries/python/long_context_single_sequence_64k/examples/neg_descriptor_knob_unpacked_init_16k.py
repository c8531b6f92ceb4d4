# example: the same unpacked descriptor, but its default is 16 * 1024: a 16K-token stream per GPU, not 64K; NOT present.
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
    sequence_length = Knob(16 * 1024, int)
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
