"""Tensor-parallel style layers (here always with a TP world size of 1)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def get_tensor_model_parallel_world_size():
    return 1


class ColumnParallelLinear(nn.Module):
    """Y = XA with A split along its output dimension."""

    def __init__(self, input_size, output_size, bias=False, init_std=0.02):
        super().__init__()
        tp = get_tensor_model_parallel_world_size()
        assert output_size % tp == 0
        self.weight = nn.Parameter(torch.empty(output_size // tp, input_size))
        self.bias = nn.Parameter(torch.zeros(output_size // tp)) if bias else None
        nn.init.normal_(self.weight, std=init_std)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class RowParallelLinear(nn.Module):
    """Y = XA with A split along its input dimension; outputs are reduced."""

    def __init__(self, input_size, output_size, bias=False, init_std=0.02):
        super().__init__()
        tp = get_tensor_model_parallel_world_size()
        self.weight = nn.Parameter(torch.empty(output_size, input_size // tp))
        self.bias = nn.Parameter(torch.zeros(output_size)) if bias else None
        nn.init.normal_(self.weight, std=init_std)

    def forward(self, x):
        out = F.linear(x, self.weight)
        # (all-reduce across TP ranks would go here)
        if self.bias is not None:
            out = out + self.bias
        return out


class VocabParallelEmbedding(nn.Module):

    def __init__(self, num_embeddings, embedding_dim, init_std=0.02):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(num_embeddings, embedding_dim))
        nn.init.normal_(self.weight, std=init_std)

    def forward(self, ids):
        return F.embedding(ids, self.weight)


class RotaryEmbedding(nn.Module):

    def __init__(self, kv_channels, base=10000.0):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, kv_channels, 2).float() / kv_channels))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, seq_len, device):
        t = torch.arange(seq_len, device=device).type_as(self.inv_freq)
        freqs = torch.outer(t, self.inv_freq)
        return freqs.cos()[None, :, None, :], freqs.sin()[None, :, None, :]


def apply_rotary_pos_emb(t, cos, sin):
    half = t.shape[-1] // 2
    t1, t2 = t[..., :half].float(), t[..., half:].float()
    r1 = t1 * cos + t2 * sin
    r2 = -t1 * sin + t2 * cos
    return torch.cat([r1, r2], dim=-1).to(t.dtype)


class ParallelAttention(nn.Module):

    def __init__(self, args):
        super().__init__()
        self.np = args.num_attention_heads
        self.hn = args.kv_channels
        h = args.hidden_size
        # fused projection, weight shape (3h, h)
        self.query_key_value = ColumnParallelLinear(h, 3 * h)
        self.dense = RowParallelLinear(h, h)
        self.use_rope = args.position_embedding_type == "rope"
        if self.use_rope:
            self.rotary = RotaryEmbedding(self.hn, args.rotary_base)

    def forward(self, hidden):
        b, s, h = hidden.shape
        mixed = self.query_key_value(hidden)
        q, k, v = mixed.view(b, s, 3, self.np, self.hn).unbind(2)
        if self.use_rope:
            cos, sin = self.rotary(s, hidden.device)
            q = apply_rotary_pos_emb(q, cos, sin)
            k = apply_rotary_pos_emb(k, cos, sin)
        ctx = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        ctx = ctx.transpose(1, 2).reshape(b, s, h)
        return self.dense(ctx)


class ParallelMLP(nn.Module):

    def __init__(self, args):
        super().__init__()
        self.dense_h_to_4h = ColumnParallelLinear(args.hidden_size, args.ffn_hidden_size)
        self.dense_4h_to_h = RowParallelLinear(args.ffn_hidden_size, args.hidden_size)

    def forward(self, x):
        return self.dense_4h_to_h(F.gelu(self.dense_h_to_4h(x), approximate="tanh"))


class FusedRMSNorm(nn.Module):
    """RMSNorm without a learnable gain."""

    def __init__(self, hidden_size, eps=1e-6):
        super().__init__()
        self.shape = (hidden_size,)
        self.eps = eps

    def forward(self, x):
        return F.rms_norm(x, self.shape, eps=self.eps)


class ParallelTransformerLayer(nn.Module):

    def __init__(self, args):
        super().__init__()
        self.input_layernorm = FusedRMSNorm(args.hidden_size)
        self.self_attention = ParallelAttention(args)
        self.post_attention_layernorm = FusedRMSNorm(args.hidden_size)
        self.mlp = ParallelMLP(args)

    def forward(self, x):
        x = x + self.self_attention(self.input_layernorm(x))
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x


class GPTModel(nn.Module):

    def __init__(self, args, padded_vocab_size):
        super().__init__()
        self.embedding = VocabParallelEmbedding(padded_vocab_size, args.hidden_size)
        self.use_learned_pos = args.position_embedding_type == "learned_absolute"
        if self.use_learned_pos:
            self.position_embeddings = nn.Embedding(args.max_position_embeddings, args.hidden_size)
        self.layers = nn.ModuleList([ParallelTransformerLayer(args) for _ in range(args.num_layers)])
        self.final_layernorm = FusedRMSNorm(args.hidden_size)

    def forward(self, tokens, labels=None):
        x = self.embedding(tokens)
        if self.use_learned_pos:
            pos = torch.arange(tokens.size(1), device=tokens.device)
            x = x + self.position_embeddings(pos)[None]
        for layer in self.layers:
            x = layer(x)
        x = self.final_layernorm(x)
        # output layer shares the word embedding matrix
        logits = F.linear(x, self.embedding.weight)
        if labels is None:
            return logits
        logits = logits.float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))
