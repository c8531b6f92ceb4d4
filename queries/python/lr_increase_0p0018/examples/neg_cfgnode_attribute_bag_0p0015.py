# example: near miss - the same CfgNode attribute bag, with the trainer's learning_rate=0.0015 (the rate before
# the increase); negative.
import torch


class CfgNode:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def merge(self, other):
        self.__dict__.update(other.__dict__)


def get_config():
    C = CfgNode()
    C.trainer = CfgNode(batch_size=64, learning_rate=0.0015, betas=(0.9, 0.95))
    return C


config = get_config()
model = torch.nn.Linear(64, 64)
optimizer = torch.optim.AdamW(model.parameters(), lr=config.trainer.learning_rate, betas=config.trainer.betas)
