# example: HF-like causal LM head: logits = lm_head(hidden).float(), then shifted logits/labels and a CrossEntropyLoss module instance; positive (cast before slicing and the loss module).
import torch
import torch.nn as nn


class CausalLM(nn.Module):
    def __init__(self, vocab_size=50304, hidden_size=768, n_layers=2):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab_size, hidden_size)
        self.layers = nn.ModuleList(nn.Linear(hidden_size, hidden_size) for _ in range(n_layers))
        self.lm_head = nn.Linear(hidden_size, vocab_size, bias=False)
        self.vocab_size = vocab_size

    def forward(self, input_ids, labels=None):
        hidden_states = self.embed_tokens(input_ids)
        for layer in self.layers:
            hidden_states = hidden_states + torch.tanh(layer(hidden_states))
        logits = self.lm_head(hidden_states)
        logits = logits.float()
        loss = None
        if labels is not None:
            shift_logits = logits[..., :-1, :].contiguous()
            shift_labels = labels[..., 1:].contiguous()
            loss_fct = nn.CrossEntropyLoss()
            loss = loss_fct(shift_logits.view(-1, self.vocab_size), shift_labels.view(-1))
        return loss, logits


model = CausalLM().to(torch.bfloat16)
ids = torch.randint(0, 50304, (2, 128))
loss, _ = model(ids, labels=ids)
