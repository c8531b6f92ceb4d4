# example: the same builder and entry point, but the flag has no default (None), so the override never runs and the builder's 0.0015 is the rate; negative.
import ml_collections
import torch
from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_float("peak_lr", None, "Peak learning rate; replaces config.optim.lr.")


def get_config():
    config = ml_collections.ConfigDict()
    config.optim = ml_collections.ConfigDict()
    config.optim.lr = 0.0015
    config.optim.b1 = 0.9
    return config


def train(config):
    model = torch.nn.Linear(8, 8)
    opt = torch.optim.AdamW(model.parameters(), lr=config.optim.lr, betas=(config.optim.b1, 0.95))
    for _ in range(10):
        opt.step()


def main(argv):
    del argv
    config = get_config()
    if FLAGS.peak_lr is not None:
        config.optim.lr = FLAGS.peak_lr
    train(config)


if __name__ == "__main__":
    app.run(main)
