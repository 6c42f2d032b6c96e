"""Wrong answers for the chapter 2 assignment (row-wise softmax, batch cross-entropy)."""
from . import WrongAnswer

WRONG_ANSWERS = {
    "softmax": [
        WrongAnswer("the seed's softmax: normalises the whole batch", '''
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
        WrongAnswer("accepts 3-D scores", '''
def softmax(a):
    a = np.asarray(a, dtype=float)
    exp_a = np.exp(a - a.max(axis=-1, keepdims=True))
    return exp_a / exp_a.sum(axis=-1, keepdims=True)
''', hint="should raise ValueError"),
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
''', hint="write your own"),
    ],
    "cross_entropy_error": [
        WrongAnswer("the seed's batch version: labels multiplied like one-hot", '''
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
''', hint="write your own"),
    ],
}
