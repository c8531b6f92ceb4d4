# example: forward makes an fp32 copy of the head's logits but takes cross_entropy on the bf16 logits; the name is rebound to the copy only after the loss, to hand it back to the caller; negative.
import torch.nn as nn
import torch.nn.functional as F


class Transformer(nn.Module):
    def __init__(self, vocab=50304, dim=256):
        super().__init__()
        self.tok_embeddings = nn.Embedding(vocab, dim)
        self.output = nn.Linear(dim, vocab, bias=False)

    def forward(self, tokens, targets=None):
        h = F.rms_norm(self.tok_embeddings(tokens), (256,))
        logits = self.output(h)
        output_fp32 = logits.float()
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        logits = output_fp32
        return logits, loss
