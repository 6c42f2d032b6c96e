"""Wrong answers for the chapter 8 assignment: the class TwoLayerNet.

The assignment has one answer cell (grade_id ``TwoLayerNet``) holding the whole
class, so every wrong answer is a whole class: the correct class with one
method replaced by a plausible mistake (common first attempts among them).
There are at least three for each graded method: ``predict`` (with the
initialisation), ``loss``, ``accuracy`` and ``gradient``.
"""
from . import WrongAnswer

INIT = '''
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, rng=None):
        rng = np.random.default_rng(0) if rng is None else rng
        self.params = {
            "W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }
'''

PREDICT = '''
    def predict(self, x):
        x = np.asarray(x, dtype=float)
        d = self.params["W1"].shape[0]
        if x.ndim != 2 or x.shape[1] != d:
            raise ValueError(f"x must have shape (N, {d}), got {x.shape}")
        h = sigmoid(x @ self.params["W1"] + self.params["b1"])
        return softmax(h @ self.params["W2"] + self.params["b2"])
'''

LOSS = '''
    def loss(self, x, t):
        return cross_entropy_error(self.predict(x), t)
'''

ACCURACY = '''
    def accuracy(self, x, t):
        t = np.asarray(t)
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        return float(np.mean(self.predict(x).argmax(axis=1) == labels))
'''

NUMERICAL = '''
    def numerical_gradient(self, x, t):
        return {key: numerical_gradient(lambda _: self.loss(x, t), value)
                for key, value in self.params.items()}
'''

GRADIENT = '''
    def gradient(self, x, t):
        t = np.asarray(t)
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        p, n = self.params, len(x)
        h = sigmoid(x @ p["W1"] + p["b1"])
        y = softmax(h @ p["W2"] + p["b2"])
        d2 = y.copy()
        d2[np.arange(n), labels] -= 1
        d2 /= n
        d1 = (d2 @ p["W2"].T) * h * (1 - h)
        return {"W1": x.T @ d1, "b1": d1.sum(axis=0), "W2": h.T @ d2, "b2": d2.sum(axis=0)}
'''


def two_layer_net(init=INIT, predict=PREDICT, loss=LOSS, accuracy=ACCURACY,
                  numerical=NUMERICAL, gradient=GRADIENT):
    """The source of a whole TwoLayerNet class built from its method sources."""
    return "class TwoLayerNet:" + init + predict + loss + accuracy + numerical + gradient


def changed(method, old, new):
    """``method`` (one of the sources above) with ``old`` replaced by ``new`` (which must occur once)."""
    assert method.count(old) == 1, f"{old!r} must occur exactly once in {method!r}"
    return method.replace(old, new)


def gradient_with(old, new):
    return two_layer_net(gradient=changed(GRADIENT, old, new))


WRONG_ANSWERS = {
    "TwoLayerNet": [
        # ---- __init__ ------------------------------------------------------
        WrongAnswer("unscaled standard normal weights", two_layer_net(
            init=INIT.replace("weight_init_std * rng", "rng")), hint="weight_init_std"),
        WrongAnswer("unseeded np.random.randn", two_layer_net(init=changed(changed(
            INIT,
            '"W1": weight_init_std * rng.standard_normal((input_size, hidden_size))',
            '"W1": weight_init_std * np.random.randn(input_size, hidden_size)'),
            '"W2": weight_init_std * rng.standard_normal((hidden_size, output_size))',
            '"W2": weight_init_std * np.random.randn(hidden_size, output_size)')),
            hint="never np.random.randn"),
        WrongAnswer("lower-case keys w1 and w2", two_layer_net(
            init=INIT.replace('"W1"', '"w1"').replace('"W2"', '"w2"'),
            predict=PREDICT.replace('"W1"', '"w1"').replace('"W2"', '"w2"'),
            gradient=GRADIENT.replace('"W1"', '"w1"').replace('"W2"', '"w2"')),
            hint="W1 b1 W2 b2"),
        WrongAnswer("ignores the rng it is given", two_layer_net(
            init=changed(INIT, "rng = np.random.default_rng(0) if rng is None else rng",
                         "rng = np.random.default_rng(0)")),
            hint="the rng you are given"),
        # ---- predict -------------------------------------------------------
        WrongAnswer("softmax over the whole batch", two_layer_net(
            predict=changed(PREDICT, 'return softmax(h @ self.params["W2"] + self.params["b2"])', '''scores = h @ self.params["W2"] + self.params["b2"]
        exp_scores = np.exp(scores - np.max(scores))
        return exp_scores / np.sum(exp_scores)''')), hint="each row"),
        WrongAnswer("no sigmoid in the hidden layer", two_layer_net(
            predict=changed(PREDICT, 'h = sigmoid(x @ self.params["W1"] + self.params["b1"])',
                            'h = x @ self.params["W1"] + self.params["b1"]')), hint="sigmoid"),
        WrongAnswer("ReLU instead of the sigmoid", two_layer_net(
            predict=changed(PREDICT, 'h = sigmoid(x @ self.params["W1"] + self.params["b1"])',
                            'h = np.maximum(x @ self.params["W1"] + self.params["b1"], 0)')),
            hint="uses ReLU"),
        WrongAnswer("biases left out", two_layer_net(
            predict=changed(changed(PREDICT, ' + self.params["b1"]', ""), ' + self.params["b2"]', "")),
            hint="add the biases"),
        WrongAnswer("returns the scores, not probabilities", two_layer_net(
            predict=changed(PREDICT, 'return softmax(h @ self.params["W2"] + self.params["b2"])',
                            'return h @ self.params["W2"] + self.params["b2"]')), hint="apply softmax"),
        WrongAnswer("no check of the input shape", two_layer_net(
            predict=changed(PREDICT, '''        if x.ndim != 2 or x.shape[1] != d:
            raise ValueError(f"x must have shape (N, {d}), got {x.shape}")
''', "")), hint="should raise ValueError"),
        WrongAnswer("shape error without the expected shape", two_layer_net(
            predict=changed(PREDICT, 'raise ValueError(f"x must have shape (N, {d}), got {x.shape}")',
                            'raise ValueError("x has the wrong shape")')), hint="name the expected shape"),
        # ---- loss ----------------------------------------------------------
        WrongAnswer("summed over the batch instead of averaged", two_layer_net(loss='''
    def loss(self, x, t):
        t = np.asarray(t)
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        y = self.predict(x)
        return -np.sum(np.log(y[np.arange(len(y)), labels] + 1e-7))
'''), hint="average over the batch"),
        WrongAnswer("loss for one-hot targets only", two_layer_net(loss='''
    def loss(self, x, t):
        y = self.predict(x)
        return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]
'''), hint="accept integer labels"),
        WrongAnswer("no delta inside the log", two_layer_net(loss='''
    def loss(self, x, t):
        t = np.asarray(t)
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        y = self.predict(x)
        return -np.mean(np.log(y[np.arange(len(y)), labels]))
'''), hint="delta"),
        WrongAnswer("minus sign forgotten", two_layer_net(loss='''
    def loss(self, x, t):
        return -cross_entropy_error(self.predict(x), t)
'''), hint="minus sign"),
        WrongAnswer("softmax applied twice", two_layer_net(loss='''
    def loss(self, x, t):
        return cross_entropy_error(softmax(self.predict(x)), t)
'''), hint="the mean cross-entropy of predict(x)"),
        # ---- accuracy ------------------------------------------------------
        WrongAnswer("one-hot targets compared without argmax", two_layer_net(accuracy='''
    def accuracy(self, x, t):
        return float(np.mean(self.predict(x).argmax(axis=1) == t))
'''), hint="one-hot"),
        WrongAnswer("accuracy for one-hot targets only", two_layer_net(accuracy='''
    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        return np.sum(y == np.argmax(t, axis=1)) / float(x.shape[0])
'''), hint="integer labels"),
        WrongAnswer("counts instead of the fraction", two_layer_net(accuracy='''
    def accuracy(self, x, t):
        t = np.asarray(t)
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        return int(np.sum(self.predict(x).argmax(axis=1) == labels))
'''), hint="the fraction"),
        WrongAnswer("argmax over the batch axis", two_layer_net(accuracy='''
    def accuracy(self, x, t):
        t = np.asarray(t)
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        return float(np.mean(self.predict(x).argmax(axis=0) == labels))
'''), hint="axis=1"),
        WrongAnswer("integer division", two_layer_net(accuracy='''
    def accuracy(self, x, t):
        t = np.asarray(t)
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        return np.sum(self.predict(x).argmax(axis=1) == labels) // len(labels)
'''), hint="accuracy should be 0.5"),
        # ---- numerical_gradient --------------------------------------------
        WrongAnswer("numerical gradient of W1 only", two_layer_net(numerical='''
    def numerical_gradient(self, x, t):
        return {"W1": numerical_gradient(lambda _: self.loss(x, t), self.params["W1"])}
'''), hint="keys W1 b1 W2 b2"),
        WrongAnswer("numerical gradient of copies (the loss never sees the nudge)", two_layer_net(numerical='''
    def numerical_gradient(self, x, t):
        return {key: numerical_gradient(lambda _: self.loss(x, t), value.copy())
                for key, value in self.params.items()}
'''), hint="while numerical_gradient nudges"),
        # ---- gradient (backprop) -------------------------------------------
        WrongAnswer("not divided by the batch size", gradient_with("        d2 /= n\n", ""),
                    hint="divide (y - t) by the batch size"),
        WrongAnswer("sigmoid's derivative left out", gradient_with(
            "d1 = (d2 @ p[\"W2\"].T) * h * (1 - h)", "d1 = d2 @ p[\"W2\"].T"),
            hint="sigmoid's derivative"),
        WrongAnswer("sigmoid's derivative taken of the pre-activation", gradient_with(
            "h = sigmoid(x @ p[\"W1\"] + p[\"b1\"])",
            "a = x @ p[\"W1\"] + p[\"b1\"]\n        h = sigmoid(a)").replace(
            "* h * (1 - h)", "* a * (1 - a)"), hint="sigmoid's derivative"),
        WrongAnswer("bias gradients averaged instead of summed", gradient_with(
            '"b1": d1.sum(axis=0), "W2": h.T @ d2, "b2": d2.sum(axis=0)',
            '"b1": d1.mean(axis=0), "W2": h.T @ d2, "b2": d2.mean(axis=0)'), hint="not the mean"),
        WrongAnswer("one-hot targets only (y - t)", gradient_with('''        t = np.asarray(t)
        labels = t.argmax(axis=1) if t.ndim == 2 else t
''', "").replace('''        d2 = y.copy()
        d2[np.arange(n), labels] -= 1
        d2 /= n
''', "        d2 = (y - t) / n\n"), hint="t.argmax(axis=1)"),
        WrongAnswer("W2's gradient transposed", gradient_with('"W2": h.T @ d2', '"W2": d2.T @ h'),
                    hint="transposed"),
        WrongAnswer("updates the parameters in place", gradient_with(
            '        return {"W1": x.T @ d1, "b1": d1.sum(axis=0), "W2": h.T @ d2, "b2": d2.sum(axis=0)}',
            '''        grads = {"W1": x.T @ d1, "b1": d1.sum(axis=0), "W2": h.T @ d2, "b2": d2.sum(axis=0)}
        for key in grads:
            p[key] -= 0.1 * grads[key]
        return grads'''), hint="never update the parameters"),
        WrongAnswer("uses y instead of y - t", gradient_with(
            "        d2[np.arange(n), labels] -= 1\n", ""), hint="starting from the output layer"),
        WrongAnswer("numerical_gradient hands back the backprop gradient", two_layer_net(numerical='''
    def numerical_gradient(self, x, t):
        return self.gradient(x, t)
'''), hint="must not call gradient()"),
        # ---- predict: overflow ---------------------------------------------
        WrongAnswer("naive sigmoid 1 / (1 + np.exp(-a)) (overflows)", two_layer_net(
            predict=changed(PREDICT, 'h = sigmoid(x @ self.params["W1"] + self.params["b1"])',
                            'h = 1 / (1 + np.exp(-(x @ self.params["W1"] + self.params["b1"])))')),
            hint="large negative number"),
        # ---- the class must be the student's own ---------------------------
        WrongAnswer("subclass of nntrain's TwoLayerNet", '''
import nntrain

class TwoLayerNet(nntrain.TwoLayerNet):
    pass
''', hint="your own class"),
        WrongAnswer("wraps an instance of nntrain's TwoLayerNet", '''
import nntrain

class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, rng=None):
        self.net = nntrain.TwoLayerNet(input_size, hidden_size, output_size, weight_init_std, rng)

    @property
    def params(self):
        return self.net.params

    @params.setter
    def params(self, value):
        self.net.params = value

    def predict(self, x):
        return self.net.predict(x)

    def loss(self, x, t):
        return self.net.loss(x, t)

    def accuracy(self, x, t):
        return self.net.accuracy(x, t)

    def numerical_gradient(self, x, t):
        return self.net.numerical_gradient(x, t)

    def gradient(self, x, t):
        return self.net.gradient(x, t)
''', hint="your own class"),
        WrongAnswer("delegates to a fresh nntrain network in every method", '''
from nntrain import TwoLayerNet as PackageNet

class TwoLayerNet(object):
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, rng=None):
        self.params = PackageNet(input_size, hidden_size, output_size, weight_init_std, rng).params

    def _package(self):
        net = PackageNet(*self.params["W1"].shape, self.params["W2"].shape[1])
        net.params = self.params
        return net

    def predict(self, x):
        return self._package().predict(x)

    def loss(self, x, t):
        return self._package().loss(x, t)

    def accuracy(self, x, t):
        return self._package().accuracy(x, t)

    def numerical_gradient(self, x, t):
        return self._package().numerical_gradient(x, t)

    def gradient(self, x, t):
        return self._package().gradient(x, t)
''', hint="your own class"),
    ],
}
