# example: main() trains with the config its builder gives (lr 0.0018) and builds a second, throwaway config from the same builder whose lr it sets to 0 for a frozen evaluation; the throwaway write does not replace the trained value; positive.
import ml_collections
import torch
from absl import app


def get_config():
    config = ml_collections.ConfigDict()
    config.optim = ml_collections.ConfigDict()
    config.optim.lr = 0.0018
    return config


def train(config):
    model = torch.nn.Linear(8, 8)
    opt = torch.optim.AdamW(model.parameters(), lr=config.optim.lr)
    for _ in range(10):
        opt.step()
    return model


def main(argv):
    del argv
    config = get_config()
    frozen = get_config()
    frozen.optim.lr = 0.0
    train(config)
    train(frozen)


if __name__ == "__main__":
    app.run(main)
