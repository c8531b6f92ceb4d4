# example: parameters picked by a dimensionality test and a name prefix together (`p.dim() >= 2 and n.startswith("transformer.wte.")`), the rates module globals handed to a configure method; positive (the name picks the embedding table among the matrices).
import torch
import torch.nn as nn

embed_lr = 0.3
head_lr = 0.002


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(50304, 768),
            h=nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12)),
        ))
        self.lm_head = nn.Linear(768, 50304, bias=False)

    def forward(self, idx):
        x = self.transformer.wte(idx)
        for layer in self.transformer.h:
            x = x + layer(x)
        return self.lm_head(x)

    def configure_optimizers(self, head_rate, table_rate=0.1):
        named = {n: p for n, p in self.named_parameters() if p.requires_grad}
        table = [p for n, p in named.items() if p.dim() >= 2 and n.startswith("transformer.wte.")]
        head = [p for n, p in named.items() if p.ndim == 2 and n.startswith("lm_head.")]
        return [
            torch.optim.Adam([{"params": table}], lr=table_rate, betas=(0.9, 0.95)),
            torch.optim.Adam([{"params": head}], lr=head_rate, betas=(0.9, 0.95)),
        ]


model = Net()
optimizers = model.configure_optimizers(head_lr, table_rate=embed_lr)
