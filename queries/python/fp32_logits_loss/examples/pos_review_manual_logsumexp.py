# example: functional model; logits from h @ W_unembed are cast with .to(torch.float32) and the NLL is computed by hand with logsumexp minus the gathered target logit; positive (no F.cross_entropy call).
import torch


def rms_norm(x, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


def forward(params, tokens):
    h = params["embed"][tokens]
    for w in params["blocks"]:
        h = h + torch.relu(rms_norm(h) @ w)
    return rms_norm(h) @ params["unembed"]


def loss_fn(params, tokens, targets):
    logits = forward(params, tokens).to(torch.float32)
    log_z = torch.logsumexp(logits, dim=-1)
    target_logit = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return (log_z - target_logit).mean()


params = {
    "embed": torch.randn(50304, 256, dtype=torch.bfloat16),
    "blocks": [torch.randn(256, 256, dtype=torch.bfloat16) for _ in range(4)],
    "unembed": torch.randn(256, 50304, dtype=torch.bfloat16),
}
for p in [params["embed"], params["unembed"], *params["blocks"]]:
    p.requires_grad_(True)
tokens = torch.randint(0, 50304, (4, 64))
loss_fn(params, tokens[:, :-1], tokens[:, 1:]).backward()
