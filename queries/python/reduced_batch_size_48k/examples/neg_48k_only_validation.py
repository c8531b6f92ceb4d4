# example: 48*1024 is the validation sequence length, while the training slice stays seq_len = 64*1024; NOT present (near miss for a value matcher).
from dataclasses import dataclass


@dataclass
class Hyperparameters:
    num_iterations: int = 1393
    seq_len: int = 64 * 1024
    val_seq_len: int = 48 * 1024


args = Hyperparameters()
world_size = 8
train_batch_size = world_size * args.seq_len
val_batch_size = world_size * args.val_seq_len


def loaders(make_gen, train_files, val_files):
    train = make_gen(train_files, train_batch_size)
    val = make_gen(val_files, val_batch_size)
    return train, val
