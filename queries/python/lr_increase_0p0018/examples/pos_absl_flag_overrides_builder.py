# example: Google-research style: a config builder sets the reference rate 0.0015, and main(), run through app.run, calls the builder and then replaces the rate with an absl flag whose default is 0.0018; positive.
import ml_collections
import torch
from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_float("peak_lr", 0.0018, "Peak learning rate; replaces config.optim.lr.")


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
