# example: the per-GPU sequence length is an environment knob whose default is 48 * 1024; the batch is eight of them; positive.
import os
SEQ = int(os.environ.get("SEQ", 48 * 1024))

class Hyperparameters:
    batch_size = 8 * SEQ
    seq_len = SEQ

args = Hyperparameters()

def gen(batch_size):
    pos = 0
    while True:
        yield pos
        pos += batch_size

loader = gen(args.batch_size)
