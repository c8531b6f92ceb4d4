import argparse
import math

import torch

try:
    import lightning as L
except ImportError:  # pragma: no cover
    import pytorch_lightning as L

from .data import TokenDataModule
from .nets import GPT, NetConfig


class GPTLitModule(L.LightningModule):

    def __init__(self, net_cfg: NetConfig = None, lr=1e-3, weight_decay=0.05, betas=(0.9, 0.95),
                 warmup_steps=200, max_steps=1800):
        super().__init__()
        self.save_hyperparameters(ignore=["net_cfg"])
        self.net = GPT(net_cfg or NetConfig()).embeddings_to_bf16()

    def forward(self, idx, targets):
        with torch.autocast("cuda", dtype=torch.bfloat16):
            return self.net(idx, targets)

    def training_step(self, batch, batch_idx):
        idx, targets = batch
        loss = self(idx, targets)
        self.log("train/loss", loss, prog_bar=True, on_step=True, sync_dist=False)
        return loss

    def validation_step(self, batch, batch_idx):
        idx, targets = batch
        loss = self(idx, targets)
        self.log("val/loss", loss, prog_bar=True, sync_dist=True)

    def configure_optimizers(self):
        hp = self.hparams
        decay, no_decay = [], []
        for n, p in self.net.named_parameters():
            (decay if p.ndim >= 2 else no_decay).append(p)
        opt = torch.optim.AdamW(
            [dict(params=decay, weight_decay=hp.weight_decay), dict(params=no_decay, weight_decay=0.0)],
            lr=hp.lr, betas=hp.betas,
        )

        def lr_lambda(step):
            if step < hp.warmup_steps:
                return (step + 1) / hp.warmup_steps
            t = (step - hp.warmup_steps) / max(1, hp.max_steps - hp.warmup_steps)
            return 0.5 * (1 + math.cos(math.pi * min(t, 1.0)))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def cli(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--train_glob", default="data/fineweb10B/fineweb_train_*.bin")
    ap.add_argument("--val_glob", default="data/fineweb10B/fineweb_val_*.bin")
    ap.add_argument("--devices", type=int, default=1)
    ap.add_argument("--max_steps", type=int, default=1800)
    ap.add_argument("--batch_size", type=int, default=8)
    ap.add_argument("--seq_len", type=int, default=4096)
    ap.add_argument("--lr", type=float, default=1e-3)
    args = ap.parse_args(argv)

    module = GPTLitModule(NetConfig(), lr=args.lr, max_steps=args.max_steps)
    dm = TokenDataModule(args.train_glob, args.val_glob, args.batch_size, args.seq_len)
    trainer = L.Trainer(
        accelerator="gpu",
        devices=args.devices,
        strategy="ddp" if args.devices > 1 else "auto",
        precision="32-true",
        max_steps=args.max_steps,
        val_check_interval=250,
        limit_val_batches=20,
        gradient_clip_val=1.0,
        log_every_n_steps=10,
    )
    trainer.fit(module, datamodule=dm)


if __name__ == "__main__":
    cli()
