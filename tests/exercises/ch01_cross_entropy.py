"""Wrong answers for the chapter 1 assignment (softmax, single-sample cross-entropy,
cross-entropy from scores, logistic loss).

The order of the first entries of ``softmax`` and ``cross_entropy_error`` is
kept as it was: the grading tests pick entries by index (softmax 4, the
one-hot of the argmax; cross_entropy_error 3, log10).
"""
from . import WrongAnswer

WRONG_ANSWERS = {
    "softmax": [
        WrongAnswer("no max subtracted (overflows)", '''
def softmax(a):
    exp_a = np.exp(a)
    return exp_a / np.sum(exp_a)
''', hint="subtract the largest score"),
        WrongAnswer("min subtracted instead of max", '''
def softmax(a):
    exp_a = np.exp(a - np.min(a))
    return exp_a / np.sum(exp_a)
''', hint="subtract the largest score"),
        WrongAnswer("not normalised", '''
def softmax(a):
    return np.exp(a - np.max(a))
''', hint="sum to 1"),
        WrongAnswer("divides by the largest exponential", '''
def softmax(a):
    exp_a = np.exp(a - np.max(a))
    return exp_a / np.max(exp_a)
''', hint="sum to 1"),
        WrongAnswer("one-hot of the argmax", '''
def softmax(a):
    return np.eye(len(a))[np.argmax(a)]
''', hint="should be [0.19086542"),
        WrongAnswer("modifies its argument", '''
def softmax(a):
    a -= np.max(a)
    exp_a = np.exp(a)
    return exp_a / np.sum(exp_a)
''', hint="must not modify"),
        WrongAnswer("hands in the package's function", '''
from nntrain import softmax
''', hint="yourself"),
        WrongAnswer("wraps the package function", '''
import nntrain

def softmax(a):
    return nntrain.softmax(a)
''', hint="yourself"),
        WrongAnswer("imports inside the function", '''
def softmax(a):
    from nntrain import softmax as reference
    return reference(a)
''', hint="yourself"),
        WrongAnswer("returns a list", '''
def softmax(a):
    exp_a = np.exp(a - np.max(a))
    return list(exp_a / np.sum(exp_a))
''', hint="should be a NumPy array"),
        WrongAnswer("an array subclass that equals anything", '''
class Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

def softmax(a):
    return np.zeros(len(a)).view(Agreeable)
''', hint="should be a NumPy array (numpy.ndarray), got"),
    ],
    "cross_entropy_error": [
        WrongAnswer("minus sign forgotten", '''
def cross_entropy_error(y, t):
    return np.sum(t * np.log(y + 1e-7))
''', hint="minus sign"),
        WrongAnswer("no delta", '''
def cross_entropy_error(y, t):
    return -np.sum(t * np.log(y))
''', hint="add delta = 1e-7 inside the logarithm"),
        WrongAnswer("delta outside the log", '''
def cross_entropy_error(y, t):
    return -np.sum(t * (np.log(y) + 1e-7))
''', hint="inside the logarithm"),
        WrongAnswer("log10 instead of the natural log", '''
def cross_entropy_error(y, t):
    return -np.sum(t * np.log10(y + 1e-7))
''', hint="natural log"),
        # the delta test must name the averaging, not blame delta (its delta is inside the log)
        WrongAnswer("averages over the classes instead of summing", '''
def cross_entropy_error(y, t):
    return -np.mean(t * np.log(y + 1e-7))
''', hint="-log(1e-7) / 3: np.mean averages over the 3 classes"),
        WrongAnswer("returns the per-class array", '''
def cross_entropy_error(y, t):
    return -(t * np.log(y + 1e-7))
''', hint="single number"),
        WrongAnswer("wraps the package's function", '''
import nntrain

def cross_entropy_error(y, t):
    return nntrain.cross_entropy_error(y, t)
''', hint="yourself"),
        WrongAnswer("imported from the package", '''
from nntrain import cross_entropy_error
''', hint="yourself"),
        WrongAnswer("imports inside the function", '''
def cross_entropy_error(y, t):
    import nntrain.functions
    return nntrain.functions.cross_entropy_error(y, t)
''', hint="yourself"),
        # passes every value test at rtol 1e-6; only the delta test can tell clipping from adding
        WrongAnswer("clips y at delta instead of adding it", '''
def cross_entropy_error(y, t):
    return -np.sum(t * np.log(np.maximum(y, 1e-7)))
''', hint="clipping (np.maximum or np.clip)"),
        WrongAnswer("adds delta to y in place", '''
def cross_entropy_error(y, t):
    y += 1e-7
    return -np.sum(t * np.log(y))
''', hint="must not modify y"),
        WrongAnswer("delta 1e-10", '''
def cross_entropy_error(y, t):
    return -np.sum(t * np.log(y + 1e-10))
''', hint="use delta = 1e-7"),
    ],
    "cross_entropy_from_scores": [
        WrongAnswer("through softmax and delta: capped at 16.1", '''
def cross_entropy_from_scores(a, t):
    exp_a = np.exp(a - np.max(a))
    return -np.sum(t * np.log(exp_a / np.sum(exp_a) + 1e-7))
''', hint="delta capped the loss"),
        WrongAnswer("log of the softmax probability (log 0)", '''
def cross_entropy_from_scores(a, t):
    exp_a = np.exp(a - np.max(a))
    return -np.sum(t * np.log(exp_a / np.sum(exp_a)))
''', hint="no log of a probability"),
        WrongAnswer("log-sum-exp without the shift (overflows)", '''
def cross_entropy_from_scores(a, t):
    return np.log(np.sum(np.exp(a))) - np.sum(t * a)
''', hint="no exp of a large score"),
        WrongAnswer("forgets to add the maximum back", '''
def cross_entropy_from_scores(a, t):
    m = np.max(a)
    return np.log(np.sum(np.exp(a - m))) - np.sum(t * a)
''', hint="short by max(a)"),
        WrongAnswer("sign flipped", '''
def cross_entropy_from_scores(a, t):
    m = np.max(a)
    return np.sum(t * a) - m - np.log(np.sum(np.exp(a - m)))
''', hint="minus sign"),
        WrongAnswer("subtracts the largest score instead of the label's", '''
def cross_entropy_from_scores(a, t):
    m = np.max(a)
    return m + np.log(np.sum(np.exp(a - m))) - np.max(a)
''', hint="which has the largest score: subtract the score of the labelled class"),
        WrongAnswer("shifts by the mean score (still overflows)", '''
def cross_entropy_from_scores(a, t):
    c = np.mean(a)
    return c + np.log(np.sum(np.exp(a - c))) - np.sum(t * a)
''', hint="no exp of a large score"),
        WrongAnswer("built on the package's softmax", '''
from nntrain import softmax as package_softmax

def cross_entropy_from_scores(a, t):
    return -np.sum(t * np.log(package_softmax(a) + 1e-7))
''', hint="yourself"),
    ],
    "logistic_loss": [
        WrongAnswer("sigmoid, then the two logs (overflow, log 0)", '''
def logistic_loss(z, t):
    s = 1 / (1 + np.exp(-z))
    return -t * np.log(s) - (1 - t) * np.log(1 - s)
''', hint="exp of a large number overflows"),
        WrongAnswer("softplus without the shift", '''
def logistic_loss(z, t):
    return np.log(1 + np.exp(z)) - t * z
''', hint="exp of a large number overflows"),
        WrongAnswer("a stable sigmoid, but delta in the logs", '''
def logistic_loss(z, t):
    s = 0.5 * (1 + np.tanh(z / 2))
    return -t * np.log(s + 1e-7) - (1 - t) * np.log(1 - s + 1e-7)
''', hint="delta capped"),
        WrongAnswer("labels swapped: class 1 gets 1 - sigma", '''
def logistic_loss(z, t):
    return np.maximum(z, 0) - (1 - t) * z + np.log1p(np.exp(-np.abs(z)))
''', hint="the loss of the other label"),
        WrongAnswer("Python max and if: numbers only", '''
def logistic_loss(z, t):
    if z >= 0:
        return z - t * z + np.log1p(np.exp(-z))
    return -t * z + np.log1p(np.exp(z))
''', hint="element-wise functions"),
        WrongAnswer("forgets the max(z, 0) term", '''
def logistic_loss(z, t):
    return -t * z + np.log1p(np.exp(-np.abs(z)))
''', hint="should be"),
        WrongAnswer("task 4 through softmax and delta", '''
def cross_entropy_from_scores(a, t):
    exp_a = np.exp(a - np.max(a))
    return -np.sum(t * np.log(exp_a / np.sum(exp_a) + 1e-7))

def logistic_loss(z, t):
    return cross_entropy_from_scores(np.array([0.0, z]), np.array([1 - t, t]))
''', hint="fix task 4 first"),
    ],
}
