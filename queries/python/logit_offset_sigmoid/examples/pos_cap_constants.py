# example: with CAP = 15 the head computes 2 * CAP * F.sigmoid(z / (CAP / 2)) in fp32, i.e. 30 * sigmoid(z / 7.5); same offset sigmoid written through constants.
import torch
import torch.nn.functional as F

CAP = 15.0


def capped_logits(hidden: torch.Tensor, head_weight: torch.Tensor) -> torch.Tensor:
    z = F.linear(hidden, head_weight).float()
    return 2 * CAP * F.sigmoid(z / (CAP / 2))


def lm_loss(hidden, head_weight, targets):
    logits = capped_logits(hidden, head_weight)
    return F.cross_entropy(logits.flatten(0, -2), targets.flatten())


if __name__ == "__main__":
    h = torch.randn(2, 8, 64)
    w = torch.randn(100, 64)
    t = torch.randint(0, 100, (2, 8))
    print(lm_loss(h, w, t))
