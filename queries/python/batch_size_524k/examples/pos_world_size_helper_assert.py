# example: global batch of 524,288 tokens asserted against micro batch x sequence x a helper returning WORLD_SIZE; positive.
import os
import torch


class parallel_state:
    @staticmethod
    def get_data_parallel_world_size():
        if "WORLD_SIZE" not in os.environ:
            return 1
        return int(os.environ["WORLD_SIZE"])


def train(model, loader, micro_batch_size=64, seq_length=1024, global_batch_tokens=524288):
    world = parallel_state.get_data_parallel_world_size()
    assert global_batch_tokens == micro_batch_size * seq_length * world
    opt = torch.optim.AdamW(model.parameters(), lr=0.0018)
    for step in range(9536):
        x, y = loader.next_batch(micro_batch_size, seq_length)
        model(x, y).backward()
        opt.step()
