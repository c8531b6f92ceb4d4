# example: batch 64 and sequence 1024 held by descriptors in the hyperparameter class (`batch_size = Setting(64)`), asserted against a 524,288-token budget on 8 GPUs; positive.
import os


class Setting:
    def __init__(self, default, cast=int):
        self.value = default
        self.cast = cast

    def __get__(self, obj, objtype=None):
        return self if obj is None else self.value

    def __set__(self, obj, value):
        self.value = self.cast(value)


class Hyperparameters:
    batch_size = Setting(64)
    sequence_length = Setting(1024)
    total_batch_size = Setting(524288)
    num_iterations = Setting(9536)


args = Hyperparameters()
B, T = args.batch_size, args.sequence_length
ddp_world_size = int(os.environ["WORLD_SIZE"])
assert args.total_batch_size == B * T * ddp_world_size


def step_loop(model, loader, optimizer):
    for it in range(args.num_iterations):
        x, y = loader.next_batch()
        model(x, y).backward()
        optimizer.step()
        optimizer.zero_grad()
