"""Wrong answers for the chapter 2 assignment (row-wise softmax, batch cross-entropy,
the loss of a data set batch by batch, top-k accuracy)."""
from . import WrongAnswer

WRONG_ANSWERS = {
    "softmax": [
        WrongAnswer("a common first attempt: softmax normalises the whole batch", '''
def softmax(a):
    c = np.max(a)
    exp_a = np.exp(a - c)
    return exp_a / np.sum(exp_a)
''', hint="each row on its own"),
        WrongAnswer("normalises the columns (axis 0)", '''
def softmax(a):
    a = np.asarray(a, dtype=float)
    if a.ndim not in (1, 2):
        raise ValueError(f"expected shape (C,) or (N, C), got {a.shape}")
    exp_a = np.exp(a - a.max(axis=0, keepdims=True))
    return exp_a / exp_a.sum(axis=0, keepdims=True)
''', hint="axis 0"),
        WrongAnswer("subtracts the maximum of the whole batch", '''
def softmax(a):
    a = np.asarray(a, dtype=float)
    if a.ndim not in (1, 2):
        raise ValueError(f"expected shape (C,) or (N, C), got {a.shape}")
    exp_a = np.exp(a - np.max(a))
    return exp_a / exp_a.sum(axis=-1, keepdims=True)
''', hint="own maximum"),
        WrongAnswer("subtracts no maximum (overflows)", '''
def softmax(a):
    a = np.asarray(a, dtype=float)
    if a.ndim not in (1, 2):
        raise ValueError(f"expected shape (C,) or (N, C), got {a.shape}")
    exp_a = np.exp(a)
    return exp_a / exp_a.sum(axis=-1, keepdims=True)
''', hint="own maximum"),
        WrongAnswer("reduces without keepdims", '''
def softmax(a):
    a = np.asarray(a, dtype=float)
    if a.ndim not in (1, 2):
        raise ValueError(f"expected shape (C,) or (N, C), got {a.shape}")
    exp_a = np.exp(a - a.max(axis=-1))
    return exp_a / exp_a.sum(axis=-1)
''', hint="keepdims"),
        WrongAnswer("axis=1: works for batches only", '''
def softmax(a):
    a = np.asarray(a, dtype=float)
    exp_a = np.exp(a - a.max(axis=1, keepdims=True))
    return exp_a / exp_a.sum(axis=1, keepdims=True)
''', hint="1-D"),
        WrongAnswer("modifies its argument", '''
def softmax(a):
    if np.ndim(a) not in (1, 2):
        raise ValueError(f"expected shape (C,) or (N, C), got {np.shape(a)}")
    a -= a.max(axis=-1, keepdims=True)
    exp_a = np.exp(a)
    return exp_a / exp_a.sum(axis=-1, keepdims=True)
''', hint="must not modify"),
        WrongAnswer("imported from the package", '''
from nntrain import softmax
''', hint="yourself"),
        WrongAnswer("returns nested lists", '''
def softmax(a):
    a = np.asarray(a, dtype=float)
    exp_a = np.exp(a - a.max(axis=-1, keepdims=True))
    return (exp_a / exp_a.sum(axis=-1, keepdims=True)).tolist()
''', hint="should be a NumPy array"),
    ],
    "cross_entropy_error": [
        WrongAnswer("a common first attempt: labels multiplied like one-hot", '''
def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    batch_size = y.shape[0]
    delta = 1e-7
    return -np.sum(t * np.log(y + delta)) / batch_size
''', hint="multiplied like one-hot"),
        WrongAnswer("sum over the batch instead of the mean", '''
def cross_entropy_error(y, t):
    y, t = np.asarray(y, dtype=float), np.asarray(t)
    if y.ndim == 1:
        t = t.reshape(1, -1) if t.shape == y.shape else t.reshape(-1)
        y = y.reshape(1, -1)
    n = y.shape[0]
    if t.shape == y.shape:
        return -np.sum(t * np.log(y + 1e-7))
    if t.shape == (n,):
        return -np.sum(np.log(y[np.arange(n), t] + 1e-7))
    raise ValueError(f"bad shapes {y.shape} and {t.shape}")
''', hint="divide by the batch size"),
        WrongAnswer("np.mean over all N*C entries", '''
def cross_entropy_error(y, t):
    y, t = np.asarray(y, dtype=float), np.asarray(t)
    if y.ndim == 1:
        t = t.reshape(1, -1) if t.shape == y.shape else t.reshape(-1)
        y = y.reshape(1, -1)
    n, c = y.shape
    if t.shape == (n,):
        t = np.eye(c)[t]
    if t.shape != y.shape:
        raise ValueError(f"bad shapes {y.shape} and {t.shape}")
    return -np.mean(t * np.log(y + 1e-7))
''', hint="N*C"),
        WrongAnswer("1-D input not treated as a batch of one", '''
def cross_entropy_error(y, t):
    y, t = np.asarray(y, dtype=float), np.asarray(t)
    n = y.shape[0]
    if t.shape == y.shape:
        return -np.sum(t * np.log(y + 1e-7)) / n
    if t.shape == (n,):
        return -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n
    raise ValueError(f"bad shapes {y.shape} and {t.shape}")
''', hint="batch of one"),
        WrongAnswer("no delta", '''
def cross_entropy_error(y, t):
    y, t = np.asarray(y, dtype=float), np.asarray(t)
    if y.ndim == 1:
        t = t.reshape(1, -1) if t.shape == y.shape else t.reshape(-1)
        y = y.reshape(1, -1)
    n = y.shape[0]
    if t.shape == y.shape:
        return -np.sum(t * np.log(y)) / n
    if t.shape == (n,):
        return -np.sum(np.log(y[np.arange(n), t])) / n
    raise ValueError(f"bad shapes {y.shape} and {t.shape}")
''', hint="delta"),
        WrongAnswer("y[:, t] instead of one entry per sample", '''
def cross_entropy_error(y, t):
    y, t = np.asarray(y, dtype=float), np.asarray(t)
    if y.ndim == 1:
        t = t.reshape(1, -1) if t.shape == y.shape else t.reshape(-1)
        y = y.reshape(1, -1)
    n = y.shape[0]
    if t.shape == y.shape:
        return -np.sum(t * np.log(y + 1e-7)) / n
    if t.shape == (n,):
        return -np.sum(np.log(y[:, t] + 1e-7)) / n
    raise ValueError(f"bad shapes {y.shape} and {t.shape}")
''', hint="one entry per sample"),
        WrongAnswer("no shape check: NumPy broadcasts", '''
def cross_entropy_error(y, t):
    y, t = np.asarray(y, dtype=float), np.asarray(t)
    if y.ndim == 1:
        t = t.reshape(1, -1) if t.ndim == 1 else t.reshape(-1)
        y = y.reshape(1, -1)
    n = y.shape[0]
    if t.ndim == 2:
        return -np.sum(t * np.log(y + 1e-7)) / n
    return -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n
''', hint="should raise ValueError"),
        WrongAnswer("minus sign forgotten", '''
def cross_entropy_error(y, t):
    y, t = np.asarray(y, dtype=float), np.asarray(t)
    if y.ndim == 1:
        t = t.reshape(1, -1) if t.shape == y.shape else t.reshape(-1)
        y = y.reshape(1, -1)
    n = y.shape[0]
    if t.shape == y.shape:
        return np.sum(t * np.log(y + 1e-7)) / n
    if t.shape == (n,):
        return np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n
    raise ValueError(f"bad shapes {y.shape} and {t.shape}")
''', hint="minus sign"),
        WrongAnswer("imported from the package", '''
from nntrain import cross_entropy_error
''', hint="yourself"),
    ],
    "dataset_loss": [
        WrongAnswer("plain average of the batch means", """
def dataset_loss(predict, x, t, batch_size):
    means = [cross_entropy_error(predict(x[i:i + batch_size]), t[i:i + batch_size])
             for i in range(0, len(x), batch_size)]
    return float(np.mean(means))
""", hint="plain average of the 3 batch means"),
        WrongAnswer("drops the last, smaller batch", """
def dataset_loss(predict, x, t, batch_size):
    batches = len(x) // batch_size
    total = 0.0
    for b in range(batches):
        rows = slice(b * batch_size, (b + 1) * batch_size)
        total += cross_entropy_error(predict(x[rows]), t[rows])
    return total / batches
""", hint="never predicted the rows"),
        WrongAnswer("predicts the whole data set at once", """
def dataset_loss(predict, x, t, batch_size):
    return cross_entropy_error(predict(x), t)
""", hint="more than batch_size"),
        WrongAnswer("divides by batches x batch_size", """
def dataset_loss(predict, x, t, batch_size):
    total, batches = 0.0, 0
    for i in range(0, len(x), batch_size):
        y = predict(x[i:i + batch_size])
        total += cross_entropy_error(y, t[i:i + batch_size]) * len(y)
        batches += 1
    return total / (batches * batch_size)
""", hint="divided by 3 batches x 4 = 12"),
        WrongAnswer("returns the sum of the losses", """
def dataset_loss(predict, x, t, batch_size):
    total = 0.0
    for i in range(0, len(x), batch_size):
        y = predict(x[i:i + batch_size])
        total += cross_entropy_error(y, t[i:i + batch_size]) * len(y)
    return total
""", hint="the sum of the 10 losses"),
        WrongAnswer("slices one row short", """
def dataset_loss(predict, x, t, batch_size):
    total, count = 0.0, 0
    for i in range(0, len(x), batch_size):
        y = predict(x[i:i + batch_size - 1])
        total += cross_entropy_error(y, t[i:i + batch_size - 1]) * len(y)
        count += len(y)
    return total / count
""", hint="never predicted the rows"),
        WrongAnswer("overlapping batches", """
def dataset_loss(predict, x, t, batch_size):
    losses = []
    for i in range(0, len(x), max(batch_size - 1, 1)):
        y = predict(x[i:i + batch_size])
        labels = t[i:i + batch_size]
        losses += [cross_entropy_error(y[j], labels[j]) for j in range(len(y))]
    return float(np.mean(losses))
""", hint="more than once"),
        WrongAnswer("uses the package's loss", """
import nntrain

def dataset_loss(predict, x, t, batch_size):
    total = 0.0
    for i in range(0, len(x), batch_size):
        y = predict(x[i:i + batch_size])
        total += nntrain.cross_entropy_error(y, t[i:i + batch_size]) * len(y)
    return total / len(x)
""", hint="yourself"),
    ],
    "top_k_accuracy": [
        WrongAnswer("the k smallest entries (argsort is increasing)", """
def top_k_accuracy(y, t, k):
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    top = np.argsort(y, axis=1)[:, :k]
    return float(np.mean([label in row for label, row in zip(labels, top)]))
""", hint="k smallest"),
        WrongAnswer("rank <= k: one class too many", """
def top_k_accuracy(y, t, k):
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    correct = y[np.arange(len(y)), labels]
    rank = (y > correct[:, None]).sum(axis=1)
    return float(np.mean(rank <= k))
""", hint="k + 1 classes"),
        WrongAnswer("returns the count", """
def top_k_accuracy(y, t, k):
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    top = np.argsort(y, axis=1)[:, -k:]
    return int(sum(label in row for label, row in zip(labels, top)))
""", hint="return the fraction"),
        WrongAnswer("ignores k: the top-1 accuracy", """
def top_k_accuracy(y, t, k):
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    return float(np.mean(y.argmax(axis=1) == labels))
""", hint="the top-1 accuracy"),
        WrongAnswer("one-hot targets used as labels", """
def top_k_accuracy(y, t, k):
    correct = y[np.arange(len(y)), t]
    return float(np.mean((y > correct[:, None]).sum(axis=1) < k))
""", hint="t.argmax(axis=1)"),
        WrongAnswer("sorts along axis 0 (over the samples)", """
def top_k_accuracy(y, t, k):
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    top = np.argsort(y, axis=0)[-k:, :]
    return float(np.mean([labels[n] in top[:, n] for n in range(min(len(labels), top.shape[1]))]))
""", hint="should be"),
    ],
}
