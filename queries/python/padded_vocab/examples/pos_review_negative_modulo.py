# example: functional parameters; the unembedding width is tokenizer_vocab + (-tokenizer_vocab % 128) = 50304, computed at module level and used for the output matrix; positive.
import torch

tokenizer_vocab = 50257
model_dim = 512
vocab_padded = tokenizer_vocab + (-tokenizer_vocab % 128)


def init_params(seed=0):
    g = torch.Generator().manual_seed(seed)
    return {
        "wte": torch.randn(vocab_padded, model_dim, generator=g) * 0.02,
        "w1": torch.randn(model_dim, 4 * model_dim, generator=g) * 0.02,
        "w2": torch.randn(4 * model_dim, model_dim, generator=g) * 0.02,
        "unembed": torch.zeros(model_dim, vocab_padded),
    }


def forward(params, idx):
    h = params["wte"][idx]
    h = h + torch.relu(h @ params["w1"]) @ params["w2"]
    return h @ params["unembed"]


params = init_params()
logits = forward(params, torch.randint(0, tokenizer_vocab, (2, 16)))
