"""Pieces the book's small networks share: 2x2 average pooling and the softmax cross-entropy.

The CNN of :mod:`convbook.cnn`, the locality experiment's network of
:mod:`convbook.locality` and the GCN of :mod:`convbook.gcn` all end in the
same loss, and the first two pool the same way; each backpropagates by hand
through these definitions.
"""

import numpy as np


def avg_pool(a):
    """2x2 average pooling with stride 2 over the last two axes of an NCHW array."""
    n, c, h, w = a.shape
    return a.reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))


def avg_pool_backward(grad):
    """Each pooled gradient, shared equally by the four inputs of its window."""
    return np.repeat(np.repeat(grad / 4, 2, axis=2), 2, axis=3)


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of ``softmax(logits)`` against integer labels, and its gradient.

    Returns ``(loss, grad)`` with ``grad = (softmax(logits) - onehot(y)) / n``
    for ``n`` rows, computed from the log-probabilities shifted by each
    row's maximum, so that no exponential overflows.
    """
    n = len(logits)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[np.arange(n), y].mean())
    grad = np.exp(log_probs)
    grad[np.arange(n), y] -= 1
    grad /= n
    return loss, grad
