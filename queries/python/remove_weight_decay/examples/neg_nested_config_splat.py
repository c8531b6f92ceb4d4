# example: AdamW built by a mode helper whose **kw comes from a nested config entry with weight_decay 0.1; negative.
import torch

def make_optimizer(kind, params, **kw):
    builders = {
        "adamw": lambda: torch.optim.AdamW(params, lr=kw["lr"], weight_decay=kw.get("weight_decay", 0.0)),
        "sgd": lambda: torch.optim.SGD(params, lr=kw["lr"]),
    }
    return builders[kind]()

class Net(torch.nn.Module):
    def configure_optimizers(self, opt_cfg):
        return make_optimizer(opt_cfg["all"]["kind"], self.parameters(), **opt_cfg["all"]["kw"])

opt_cfg = {"all": dict(kind="adamw", kw=dict(lr=1e-3, weight_decay=0.1))}
optimizer = Net().configure_optimizers(opt_cfg)
