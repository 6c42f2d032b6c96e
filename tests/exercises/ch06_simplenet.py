"""Wrong answers for the chapter 6 assignment: SimpleNet, and the penalised loss and its gradients.

The answer cell ``SimpleNet`` holds the whole class, so each of its wrong
answers is a whole class: a correct class with one method replaced by a
plausible mistake.
"""
from . import WrongAnswer

#: answer cells whose answer is in neither the lessons nor the package (checked by test_balance.py)
NEW_TASKS = {
    "penalised_loss": "SimpleNet has no bias and the course has no L2 penalty: the loss with both is the "
                      "student's, from the formula the task gives",
    "penalised_numerical_gradient": "the gradient of that loss with respect to two arrays, each through a "
                                    "function of its own argument, for a loss the course does not have",
    "penalised_gradient": "chapters 6 and 7 give X^T (Y - T) / N for SimpleNet without bias or penalty; "
                          "what the bias and the penalty lam * W add to dL/dW and dL/db is derived by the "
                          "student and checked against their own numerical gradient",
}
#: test cells whose points reward refusing bad input
INPUT_CHECKS = set()

INIT = '''
    def __init__(self, W=None, rng=None):
        if W is None:
            rng = np.random.default_rng(0) if rng is None else rng
            W = 0.01 * rng.standard_normal((2, 3))
        self.W = np.array(W, dtype=float)
'''

PREDICT = '''
    def predict(self, x):
        return np.dot(x, self.W)
'''

LOSS = '''
    def loss(self, x, t):
        return cross_entropy_error(softmax(self.predict(x)), t)
'''

GRADIENT = '''
    def numerical_gradient(self, x, t):
        return numerical_gradient(lambda W: cross_entropy_error(softmax(x @ W), t), self.W.copy())
'''


def simplenet(init=INIT, predict=PREDICT, loss=LOSS, gradient=GRADIENT):
    """The source of a whole SimpleNet class built from four method sources."""
    return "class SimpleNet:" + init + predict + loss + gradient


WRONG_ANSWERS = {
    "SimpleNet": [
        # ---- __init__ -------------------------------------------------------
        WrongAnswer("unscaled standard normal weights", simplenet(init='''
    def __init__(self, W=None, rng=None):
        if W is None:
            rng = np.random.default_rng(0) if rng is None else rng
            W = rng.standard_normal((2, 3))
        self.W = np.array(W, dtype=float)
'''), hint="scale them by 0.01"),
        WrongAnswer("unseeded np.random.randn", simplenet(init='''
    def __init__(self, W=None, rng=None):
        if W is None:
            W = 0.01 * np.random.randn(2, 3)
        self.W = np.array(W, dtype=float)
'''), hint="the rng you are given"),
        WrongAnswer("always seed 0, ignoring rng", simplenet(init='''
    def __init__(self, W=None, rng=None):
        if W is None:
            W = 0.01 * np.random.default_rng(0).standard_normal((2, 3))
        self.W = np.array(W, dtype=float)
'''), hint="the rng you are given"),
        WrongAnswer("the constructor ignores the W it is given", simplenet(init='''
    def __init__(self, W=None, rng=None):
        rng = np.random.default_rng(0) if rng is None else rng
        self.W = 0.01 * rng.standard_normal((2, 3))
'''), hint="SimpleNet(W) did not store W"),
        WrongAnswer("zero weights", simplenet(init='''
    def __init__(self, W=None, rng=None):
        self.W = np.zeros((2, 3)) if W is None else np.array(W, dtype=float)
'''), hint="draw random weights"),
        WrongAnswer("W stored as given (integers, no copy)", simplenet(init='''
    def __init__(self, W=None, rng=None):
        if W is None:
            rng = np.random.default_rng(0) if rng is None else rng
            W = 0.01 * rng.standard_normal((2, 3))
        self.W = W
'''), hint="float weights"),
        WrongAnswer("a float view, not a copy", simplenet(init='''
    def __init__(self, W=None, rng=None):
        if W is None:
            rng = np.random.default_rng(0) if rng is None else rng
            W = 0.01 * rng.standard_normal((2, 3))
        self.W = np.asarray(W, dtype=float)
'''), hint="store a copy"),
        # ---- predict --------------------------------------------------------
        WrongAnswer("W @ x", simplenet(predict='''
    def predict(self, x):
        return np.dot(self.W, x)
'''), hint="not W @ x"),
        WrongAnswer("softmax inside predict", simplenet(predict='''
    def predict(self, x):
        return softmax(np.dot(x, self.W))
''', loss='''
    def loss(self, x, t):
        return cross_entropy_error(self.predict(x), t)
'''), hint="return the raw scores"),
        WrongAnswer("a bias of ones", simplenet(init='''
    def __init__(self, W=None, rng=None):
        if W is None:
            rng = np.random.default_rng(0) if rng is None else rng
            W = 0.01 * rng.standard_normal((2, 3))
        self.W = np.array(W, dtype=float)
        self.b = np.ones(3)
''', predict='''
    def predict(self, x):
        return np.dot(x, self.W) + self.b
'''), hint="no bias"),
        WrongAnswer("one sample only (loop over the classes)", simplenet(predict='''
    def predict(self, x):
        return np.array([x[0] * self.W[0, j] + x[1] * self.W[1, j] for j in range(3)])
'''), hint="should return shape (N, 3)"),
        WrongAnswer("weights cached at construction", simplenet(init='''
    def __init__(self, W=None, rng=None):
        if W is None:
            rng = np.random.default_rng(0) if rng is None else rng
            W = 0.01 * rng.standard_normal((2, 3))
        self.W = np.array(W, dtype=float)
        self.weights = self.W.copy()
''', predict='''
    def predict(self, x):
        return np.dot(x, self.weights)
'''), hint="read self.W each time"),
        # ---- loss -----------------------------------------------------------
        WrongAnswer("no softmax", simplenet(loss='''
    def loss(self, x, t):
        return cross_entropy_error(self.predict(x), t)
'''), hint="softmax turns the scores"),
        WrongAnswer("softmax over the whole batch", simplenet(loss='''
    def loss(self, x, t):
        z = self.predict(x)
        exp_z = np.exp(z - np.max(z))
        y = exp_z / np.sum(exp_z)
        return cross_entropy_error(y, t)
'''), hint="each row on its own"),
        WrongAnswer("summed over the batch, not averaged", simplenet(loss='''
    def loss(self, x, t):
        y = softmax(self.predict(x))
        return -np.sum(t * np.log(y + 1e-7))
'''), hint="average over the batch"),
        WrongAnswer("one-hot targets only", simplenet(loss='''
    def loss(self, x, t):
        y = softmax(self.predict(x))
        if y.ndim == 1:
            y, t = y.reshape(1, -1), t.reshape(1, -1)
        return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]
'''), hint="integer labels"),
        WrongAnswer("no delta inside the log", simplenet(loss='''
    def loss(self, x, t):
        y = np.atleast_2d(softmax(self.predict(x)))
        t = np.asarray(t)
        labels = t.reshape(len(y), -1).argmax(axis=1) if t.size == y.size else t.reshape(len(y))
        return float(-np.mean(np.log(y[np.arange(len(y)), labels])))
'''), hint="delta = 1e-7 inside the logarithm"),
        WrongAnswer("mean over the classes too", simplenet(loss='''
    def loss(self, x, t):
        y = softmax(self.predict(x))
        return -np.mean(t * np.log(y + 1e-7))
'''), hint="sums -t*log(y) over the classes"),
        # ---- numerical_gradient ---------------------------------------------
        WrongAnswer("lambda reads a copy of W: gradient zero", simplenet(gradient='''
    def numerical_gradient(self, x, t):
        return numerical_gradient(lambda W: self.loss(x, t), self.W.copy())
'''), hint="all zeros"),
        WrongAnswer("a loss that ignores its argument, on self.W (right only through aliasing)", simplenet(gradient='''
    def numerical_gradient(self, x, t):
        return numerical_gradient(lambda W: self.loss(x, t), self.W)
'''), hint="all zeros"),
        WrongAnswer("a 1-D numerical gradient (flat index) on the 2-D W", simplenet(gradient='''
    def numerical_gradient(self, x, t):
        h = 1e-4
        W = self.W
        grad = np.zeros_like(W)
        for idx in range(W.size):
            tmp_val = W[idx]
            W[idx] = tmp_val + h
            fxh1 = self.loss(x, t)
            W[idx] = tmp_val - h
            fxh2 = self.loss(x, t)
            grad[idx] = (fxh1 - fxh2) / (2 * h)
            W[idx] = tmp_val
        return grad
'''), hint="np.ndindex"),
        WrongAnswer("forward difference", simplenet(gradient='''
    def numerical_gradient(self, x, t):
        h = 1e-4
        grad = np.zeros_like(self.W)
        base = self.loss(x, t)
        for idx in np.ndindex(self.W.shape):
            original = self.W[idx]
            self.W[idx] = original + h
            grad[idx] = (self.loss(x, t) - base) / h
            self.W[idx] = original
        return grad
'''), hint="central difference"),
        WrongAnswer("its own numerical_gradient, a forward difference, in place of the setup cell's", '''
def numerical_gradient(f, x, h=1e-4):
    grad = np.zeros_like(x)
    base = f(x)
    for idx in np.ndindex(x.shape):
        nudged = x.copy()
        nudged[idx] += h
        grad[idx] = (f(nudged) - base) / h
    return grad

''' + simplenet(), hint="forward difference"),
        WrongAnswer("gradient with respect to x", simplenet(gradient='''
    def numerical_gradient(self, x, t):
        return numerical_gradient(lambda x_: self.loss(x_, t), np.array(x, dtype=float))
'''), hint="not x"),
        WrongAnswer("W not restored after nudging", simplenet(gradient='''
    def numerical_gradient(self, x, t):
        h = 1e-4
        grad = np.zeros_like(self.W)
        for idx in np.ndindex(self.W.shape):
            original = self.W[idx]
            self.W[idx] = original + h
            f_plus = self.loss(x, t)
            self.W[idx] = original - h
            f_minus = self.loss(x, t)
            grad[idx] = (f_plus - f_minus) / (2 * h)
        return grad
'''), hint="restore each entry"),
        # ---- the class must be the student's own ---------------------------
        WrongAnswer("subclass of nntrain's SimpleNet", '''
import nntrain

class SimpleNet(nntrain.SimpleNet):
    pass
''', hint="write SimpleNet yourself"),
        WrongAnswer("wraps an instance of nntrain's SimpleNet", '''
import nntrain

class SimpleNet:
    def __init__(self, W=None, rng=None):
        self.net = nntrain.SimpleNet(W, rng)

    @property
    def W(self):
        return self.net.W

    @W.setter
    def W(self, value):
        self.net.W = value

    def predict(self, x):
        return self.net.predict(x)

    def loss(self, x, t):
        return self.net.loss(x, t)

    def numerical_gradient(self, x, t):
        return self.net.numerical_gradient(x, t)
''', hint="write SimpleNet yourself"),
        WrongAnswer("delegates to a fresh nntrain network in every method", '''
from nntrain import SimpleNet as PackageNet

class SimpleNet:
    def __init__(self, W=None, rng=None):
        self.W = PackageNet(W, rng).W

    def predict(self, x):
        return PackageNet(self.W).predict(x)

    def loss(self, x, t):
        return PackageNet(self.W).loss(x, t)

    def numerical_gradient(self, x, t):
        return PackageNet(self.W).numerical_gradient(x, t)
''', hint="write SimpleNet yourself"),
        ],
    "penalised_loss": [
        WrongAnswer("the bias left out", '''
def penalised_loss(W, b, x, t, lam):
    return cross_entropy_error(softmax(x @ W), t) + 0.5 * lam * np.sum(W**2)
''', hint="b is ignored"),
        WrongAnswer("lam * sum(W**2), without the half", '''
def penalised_loss(W, b, x, t, lam):
    return cross_entropy_error(softmax(x @ W + b), t) + lam * np.sum(W**2)
''', hint="half of lam * sum(W**2)"),
        WrongAnswer("the bias penalised too", '''
def penalised_loss(W, b, x, t, lam):
    return cross_entropy_error(softmax(x @ W + b), t) + 0.5 * lam * (np.sum(W**2) + np.sum(b**2))
''', hint="on W only"),
        WrongAnswer("the cross-entropy summed over the batch", '''
def penalised_loss(W, b, x, t, lam):
    y = softmax(x @ W + b)
    return -np.sum(np.log(y[np.arange(len(x)), t] + 1e-7)) + 0.5 * lam * np.sum(W**2)
''', hint="averaged over the batch"),
        WrongAnswer("delta left out", '''
def penalised_loss(W, b, x, t, lam):
    y = softmax(x @ W + b)
    return float(-np.mean(np.log(y[np.arange(len(x)), t]))) + 0.5 * lam * np.sum(W**2)
''', hint="delta is missing"),
        WrongAnswer("the norm instead of the sum of squares", '''
def penalised_loss(W, b, x, t, lam):
    return cross_entropy_error(softmax(x @ W + b), t) + 0.5 * lam * np.linalg.norm(W)
''', hint="not their norm"),
    ],
    "penalised_numerical_gradient": [
        WrongAnswer("a function that ignores its argument, on the caller's W (right only through aliasing)", '''
def penalised_numerical_gradient(W, b, x, t, lam):
    loss = lambda _: penalised_loss(W, b, x, t, lam)
    return numerical_gradient(loss, W), numerical_gradient(loss, b)
''', hint="0 everywhere"),
        WrongAnswer("a function that ignores its argument, on copies", '''
def penalised_numerical_gradient(W, b, x, t, lam):
    loss = lambda _: penalised_loss(W, b, x, t, lam)
    return numerical_gradient(loss, W.copy()), numerical_gradient(loss, b.copy())
''', hint="0 everywhere"),
        WrongAnswer("nudges the caller's W in place and does not put it back", '''
def penalised_numerical_gradient(W, b, x, t, lam):
    h = 1e-4
    dW = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        original = W[idx]
        W[idx] = original + h
        plus = penalised_loss(W, b, x, t, lam)
        W[idx] = original - h
        dW[idx] = (plus - penalised_loss(W, b, x, t, lam)) / (2 * h)
    db = numerical_gradient(lambda b_: penalised_loss(W, b_, x, t, lam), b.copy())
    return dW, db
''', hint="changed W or b"),
        WrongAnswer("lam not passed on", '''
def penalised_numerical_gradient(W, b, x, t, lam):
    dW = numerical_gradient(lambda W_: penalised_loss(W_, b, x, t, 0.0), W.copy())
    db = numerical_gradient(lambda b_: penalised_loss(W, b_, x, t, 0.0), b.copy())
    return dW, db
''', hint="pass lam on"),
        WrongAnswer("returned in the order (db, dW)", '''
def penalised_numerical_gradient(W, b, x, t, lam):
    dW = numerical_gradient(lambda W_: penalised_loss(W_, b, x, t, lam), W.copy())
    db = numerical_gradient(lambda b_: penalised_loss(W, b_, x, t, lam), b.copy())
    return db, dW
''', hint="in the order (dW, db)"),
        WrongAnswer("a dict, as TwoLayerNet returns", '''
def penalised_numerical_gradient(W, b, x, t, lam):
    dW = numerical_gradient(lambda W_: penalised_loss(W_, b, x, t, lam), W.copy())
    db = numerical_gradient(lambda b_: penalised_loss(W, b_, x, t, lam), b.copy())
    return {"W": dW, "b": db}
''', hint="return dW, db"),
    ],
    "penalised_gradient": [
        WrongAnswer("the penalty's gradient left out", '''
def penalised_gradient(W, b, x, t, lam):
    d_scores = (softmax(x @ W + b) - np.eye(3)[t]) / len(x)
    return x.T @ d_scores, d_scores.sum(axis=0)
''', hint="the penalty's gradient is missing"),
        WrongAnswer("2 lam W", '''
def penalised_gradient(W, b, x, t, lam):
    d_scores = (softmax(x @ W + b) - np.eye(3)[t]) / len(x)
    return x.T @ d_scores + 2 * lam * W, d_scores.sum(axis=0)
''', hint="twice too large"),
        WrongAnswer("not divided by N", '''
def penalised_gradient(W, b, x, t, lam):
    d_scores = softmax(x @ W + b) - np.eye(3)[t]
    return x.T @ d_scores + lam * W, d_scores.sum(axis=0)
''', hint="divide by N"),
        WrongAnswer("the bias left out of the probabilities", '''
def penalised_gradient(W, b, x, t, lam):
    d_scores = (softmax(x @ W) - np.eye(3)[t]) / len(x)
    return x.T @ d_scores + lam * W, d_scores.sum(axis=0)
''', hint="b is ignored"),
        WrongAnswer("the bias penalised", '''
def penalised_gradient(W, b, x, t, lam):
    d_scores = (softmax(x @ W + b) - np.eye(3)[t]) / len(x)
    return x.T @ d_scores + lam * W, d_scores.sum(axis=0) + lam * b
''', hint="the penalty is on W only"),
        WrongAnswer("db not summed over the batch", '''
def penalised_gradient(W, b, x, t, lam):
    d_scores = (softmax(x @ W + b) - np.eye(3)[t]) / len(x)
    return x.T @ d_scores + lam * W, d_scores
''', hint="adds up the contributions of all the samples"),
        WrongAnswer("dW transposed", '''
def penalised_gradient(W, b, x, t, lam):
    d_scores = (softmax(x @ W + b) - np.eye(3)[t]) / len(x)
    return d_scores.T @ x + lam * W.T, d_scores.sum(axis=0)
''', hint="the shape of W transposed"),
        WrongAnswer("the targets forgotten", '''
def penalised_gradient(W, b, x, t, lam):
    d_scores = softmax(x @ W + b) / len(x)
    return x.T @ d_scores + lam * W, d_scores.sum(axis=0)
''', hint="the targets are missing"),
        WrongAnswer("numerical differentiation instead of the formulas", '''
def penalised_gradient(W, b, x, t, lam):
    return penalised_numerical_gradient(W, b, x, t, lam)
''', hint="differentiates numerically"),
    ],
}
