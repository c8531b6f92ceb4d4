# example: `os.environ` is fetched into a local of main (`env = os.environ`) and the world size read from it (`int(env["WORLD_SIZE"])`); 64 x 1024 x 8 GPUs is asserted equal to a 524,288-token budget; positive.
import os


def main():
    env = os.environ
    rows, seqlen = 64, 1024
    tokens_per_step = 524288
    world = int(env["WORLD_SIZE"])
    assert tokens_per_step == rows * seqlen * world
    return rows, seqlen


main()
