# example: descriptors in the hyperparameter class hold batch 32 and a 262,144-token budget (record 1's), asserted on 8 GPUs; negative.
import os


class Setting:
    def __init__(self, default, cast=int):
        self.value = default
        self.cast = cast

    def __get__(self, obj, objtype=None):
        return self if obj is None else self.value


class Hyperparameters:
    batch_size = Setting(32)
    sequence_length = Setting(1024)
    total_batch_size = Setting(262144)
    num_iterations = Setting(24576)


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
