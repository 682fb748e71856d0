"""The notes' models in PyTorch with tapeflow's settings, shared by the peer scripts: Keras initialisation
(glorot_uniform kernels, zero biases; the LSTM's orthogonal recurrent kernel and forget-gate bias 1), softmax
outputs with sparse categorical cross-entropy on clipped probabilities, Adam(1e-3, eps=1e-7).
"""
import torch



def keras_init(module):
    for m in module.modules():
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)


def make_mnist_model(name):
    """The notes' MLP or CNN on [batch, 1, 28, 28] images; returns logits (loss_fn applies the softmax)."""
    if name == "mlp":
        model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 100), torch.nn.ReLU(),
                                    torch.nn.Linear(100, 10))
    elif name == "cnn":
        model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 32, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2),
            torch.nn.Conv2d(32, 64, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2),
            torch.nn.Flatten(), torch.nn.Linear(7 * 7 * 64, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 10))
    else:
        raise ValueError(f"expected model mlp or cnn, found {name!r}")
    keras_init(model)
    return model


def loss_fn(logits, y):
    """Sparse categorical cross-entropy on the clipped softmax probabilities, as the notes compute it."""
    return prob_loss_fn(torch.softmax(logits, dim=-1), y)


def prob_loss_fn(prob, y):
    return torch.nn.functional.nll_loss(torch.log(prob.clamp(1e-7, 1 - 1e-7)), y)


def make_optimizer(model, lr=1e-3, **kwargs):
    return torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7, **kwargs)


class CharRNN(torch.nn.Module):
    """one_hot -> LSTMCell(256) stepped over the window -> Linear(num_chars) -> softmax probabilities."""

    def __init__(self, num_chars, units=256):
        super().__init__()
        self.num_chars = num_chars
        self.cell = torch.nn.LSTMCell(num_chars, units)
        self.dense = torch.nn.Linear(units, num_chars)
        # Keras defaults. PyTorch's gate order (i, f, g, o) matches Keras's (i, f, c, o).
        torch.nn.init.xavier_uniform_(self.cell.weight_ih)
        # Keras's orthogonal initializer covers the whole recurrent kernel [units, 4 units].
        w_hh = torch.empty(units, 4 * units)
        torch.nn.init.orthogonal_(w_hh)
        with torch.no_grad():
            self.cell.weight_hh.copy_(w_hh.t())
            self.cell.bias_ih.zero_()
            self.cell.bias_hh.zero_()
            self.cell.bias_ih[units:2 * units] = 1.0  # unit_forget_bias
        torch.nn.init.xavier_uniform_(self.dense.weight)
        torch.nn.init.zeros_(self.dense.bias)

    def forward(self, ids):
        x = torch.nn.functional.one_hot(ids, self.num_chars).float()
        h = torch.zeros(ids.shape[0], self.cell.hidden_size, device=ids.device)
        c = torch.zeros_like(h)
        for t in range(ids.shape[1]):
            h, c = self.cell(x[:, t, :], (h, c))
        return torch.softmax(self.dense(h), dim=-1)
