# example: near miss - the final hidden state is upcast with .float() before a bf16 head, and the head's logits go to cross_entropy uncast; negative (the logits themselves are never cast).
import torch
import torch.nn as nn
import torch.nn.functional as F

vocab, dim = 50304, 768
embed = nn.Embedding(vocab, dim).cuda().bfloat16()
head = nn.Linear(dim, vocab, bias=False).cuda().bfloat16()


def compute_loss(tokens, targets):
    h = embed(tokens)
    h = F.rms_norm(h.float(), (dim,)).to(torch.bfloat16)
    logits = head(h)
    return F.cross_entropy(logits.view(-1, vocab), targets.view(-1))


t = torch.randint(0, vocab, (2, 128), device="cuda")
compute_loss(t, t).backward()
