# example: a yacs-style CfgNode stores its keyword arguments as attributes (self.__dict__.update(kwargs)); the
# trainer's learning_rate=0.0018 reaches AdamW through it; positive.
import torch


class CfgNode:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def merge(self, other):
        self.__dict__.update(other.__dict__)


def get_config():
    C = CfgNode()
    C.trainer = CfgNode(batch_size=64, learning_rate=0.0018, betas=(0.9, 0.95))
    return C


config = get_config()
model = torch.nn.Linear(64, 64)
optimizer = torch.optim.AdamW(model.parameters(), lr=config.trainer.learning_rate, betas=config.trainer.betas)
