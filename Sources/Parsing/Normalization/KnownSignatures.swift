/// Parameter names, in order, of library calls whose arguments are often passed either way. With these, a
/// call is rewritten with every argument by keyword, so `nn.Linear(768, 3072, bias=False)` and
/// `nn.Linear(in_features=768, out_features=3072, bias=False)` compare equal.
enum KnownSignatures {
    static let parameters: [String: [String]] = [
        "torch.nn.Linear": ["in_features", "out_features", "bias", "device", "dtype"],
        "torch.nn.Embedding": ["num_embeddings", "embedding_dim", "padding_idx"],
        "torch.nn.LayerNorm": ["normalized_shape", "eps", "elementwise_affine", "bias"],
        "torch.nn.RMSNorm": ["normalized_shape", "eps", "elementwise_affine"],
        "torch.nn.functional.scaled_dot_product_attention":
            ["query", "key", "value", "attn_mask", "dropout_p", "is_causal", "scale", "enable_gqa"],
        "torch.nn.functional.cross_entropy":
            ["input", "target", "weight", "size_average", "ignore_index", "reduce", "reduction", "label_smoothing"],
        "torch.nn.functional.rms_norm": ["input", "normalized_shape", "weight", "eps"],
        "torch.nn.functional.layer_norm": ["input", "normalized_shape", "weight", "bias", "eps"],
        "torch.nn.functional.softmax": ["input", "dim"],
        "torch.nn.functional.linear": ["input", "weight", "bias"],
        "torch.nn.functional.embedding": ["input", "weight", "padding_idx"],
        "torch.optim.AdamW": ["params", "lr", "betas", "eps", "weight_decay", "amsgrad"],
        "torch.optim.Adam": ["params", "lr", "betas", "eps", "weight_decay", "amsgrad"],
        "torch.optim.SGD": ["params", "lr", "momentum", "dampening", "weight_decay", "nesterov"],
        "torch.nn.init.normal_": ["tensor", "mean", "std"],
        "torch.nn.init.uniform_": ["tensor", "a", "b"],
        "torch.nn.init.zeros_": ["tensor"],
        "torch.nn.utils.clip_grad_norm_": ["parameters", "max_norm", "norm_type"],
        "torch.outer": ["input", "vec2"],
        "torch.cat": ["tensors", "dim"],
        "torch.stack": ["tensors", "dim"],
        "torch.tanh": ["input"],
        "torch.sigmoid": ["input"],
        "torch.compile": ["model", "fullgraph", "dynamic", "backend", "mode"],
        "torch.distributed.init_process_group": ["backend", "init_method", "timeout", "world_size", "rank"],
    ]
}
