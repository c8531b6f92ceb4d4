# example: near miss: the world size is read through `env = os.environ` as well, but 32 x 1024 x 8 GPUs is asserted equal to a 262,144-token budget (the baseline batch); negative.
import os


def main():
    env = os.environ
    rows, seqlen = 32, 1024
    tokens_per_step = 262144
    world = int(env["WORLD_SIZE"])
    assert tokens_per_step == rows * seqlen * world
    return rows, seqlen


main()
