"""Wrong answers for the chapter 8 assignment: TwoLayerNet, weight decay and a learning-rate sweep.

The assignment has three answer cells.  ``TwoLayerNet`` holds the whole class,
so each of its wrong answers is the correct class with one method replaced by
a plausible mistake (at least three for each graded method: the
initialisation with ``predict``, ``loss``, ``accuracy`` and the gradients).
``loss_and_gradient_with_decay`` and ``learning_rate_sweep`` are one function
each; their wrong answers are that function with one mistake, the other cells
keeping the solution, so each mistake is caught on its own.
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


def decay(penalty='penalty = sum(np.sum(net.params[key] ** 2) for key in ("W1", "W2"))',
          loss="loss = net.loss(x, t) + 0.5 * weight_decay * penalty",
          keys='("W1", "W2")', step="grads[key] = grads[key] + weight_decay * net.params[key]"):
    """loss_and_gradient_with_decay with its lines as given."""
    return f'''
def loss_and_gradient_with_decay(net, x, t, weight_decay):
    {penalty}
    {loss}
    grads = dict(net.gradient(x, t))
    for key in {keys}:
        {step}
    return float(loss), grads
'''


def sweep(before="", net_line=None, rng_line=None, loop="for _ in range(iterations):",
          batch="x_batch, t_batch = sample_batch(x_train, t_train, batch_size, rng)",
          grads="_, grads = loss_and_gradient_with_decay(net, x_batch, t_batch, weight_decay)",
          update="net.params[key] = net.params[key] - learning_rate * grads[key]",
          measure="accuracies.append(net.accuracy(x_val, t_val))", result="return np.array(accuracies)"):
    """learning_rate_sweep with its lines as given (None: the correct line)."""
    if net_line is None:
        net_line = ("        net = TwoLayerNet(x_train.shape[1], hidden_size, 10, weight_init_std=0.1, "
                    "rng=np.random.default_rng(seed))\n")
    if rng_line is None:
        rng_line = "        rng = np.random.default_rng(seed)\n"
    return f'''
def learning_rate_sweep(learning_rates, train_data, validation_data, weight_decay=0.0, seed=0,
                        iterations=200, batch_size=50, hidden_size=30):
    x_train, t_train = train_data
    x_val, t_val = validation_data
    accuracies = []
{before}    for learning_rate in learning_rates:
{net_line}{rng_line}        {loop}
            {batch}
            {grads}
            for key in net.params:
                {update}
        {measure}
    {result}
'''


#: answer cells whose answer is in neither the lessons nor the package (checked by test_balance.py)
NEW_TASKS = {
    "loss_and_gradient_with_decay": "weight decay is only named in chapter 8's further reading; the "
                                    "gradient lambda * W, without the biases, is the student's",
    "learning_rate_sweep": "the student's own seeded training loop with a fresh network per rate, "
                           "measured on the validation split; nntrain.train has no weight decay and "
                           "a sweep built on it is refused",
}
#: test cells whose points reward refusing bad input
INPUT_CHECKS = {"test_predict_shape"}

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
        WrongAnswer("weights copied to attributes in __init__, never read from params", two_layer_net(
            init=INIT + "        self.W1, self.b1, self.W2, self.b2 = (self.params[k] for k in ('W1', 'b1', 'W2', 'b2'))\n",
            predict=PREDICT.replace('self.params["W1"]', "self.W1").replace('self.params["b1"]', "self.b1")
                           .replace('self.params["W2"]', "self.W2").replace('self.params["b2"]', "self.b2"),
            gradient=GRADIENT.replace("p, n = self.params, len(x)",
                                      "p, n = {'W1': self.W1, 'b1': self.b1, 'W2': self.W2, 'b2': self.b2}, len(x)")),
            hint="does not read its weights from self.params"),
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
''', "")), hint="should name the expected shape"),
        WrongAnswer("shape error without the expected shape", two_layer_net(
            predict=changed(PREDICT, 'raise ValueError(f"x must have shape (N, {d}), got {x.shape}")',
                            'raise ValueError("x has the wrong shape")')), hint="name the expected shape"),
        WrongAnswer("shape error of the wrong type", two_layer_net(
            predict=changed(PREDICT, 'raise ValueError(f"x must have shape (N, {d}), got {x.shape}")',
                            'raise TypeError(f"x must have shape (N, {d}), got {x.shape}")')),
            hint="raise ValueError naming"),
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
            hint="sigmoid's local gradient"),
        WrongAnswer("sigmoid's derivative taken of the pre-activation", gradient_with(
            "h = sigmoid(x @ p[\"W1\"] + p[\"b1\"])",
            "a = x @ p[\"W1\"] + p[\"b1\"]\n        h = sigmoid(a)").replace(
            "* h * (1 - h)", "* a * (1 - a)"), hint="sigmoid's local gradient"),
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
            "        d2[np.arange(n), labels] -= 1\n", ""), hint="start from the output layer"),
        WrongAnswer("numerical_gradient hands back the backprop gradient", two_layer_net(numerical='''
    def numerical_gradient(self, x, t):
        return self.gradient(x, t)
'''), hint="must not call gradient()"),
        # ---- predict: overflow ---------------------------------------------
        WrongAnswer("naive sigmoid 1 / (1 + np.exp(-a)) (overflows)", two_layer_net(
            predict=changed(PREDICT, 'h = sigmoid(x @ self.params["W1"] + self.params["b1"])',
                            'h = 1 / (1 + np.exp(-(x @ self.params["W1"] + self.params["b1"])))')),
            hint="never overflow"),
        # ---- the class must be the student's own ---------------------------
        WrongAnswer("subclass of nntrain's TwoLayerNet", '''
import nntrain

class TwoLayerNet(nntrain.TwoLayerNet):
    pass
''', hint="write TwoLayerNet yourself"),
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
''', hint="write TwoLayerNet yourself"),
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
''', hint="write TwoLayerNet yourself"),
    ],
    "loss_and_gradient_with_decay": [
        WrongAnswer("the penalty left out of the loss", decay(loss="loss = net.loss(x, t)"),
                    hint="the penalty is missing"),
        WrongAnswer("lambda * |W|^2 with its derivative 2 lambda W", decay(
            loss="loss = net.loss(x, t) + weight_decay * penalty",
            step="grads[key] = grads[key] + 2 * weight_decay * net.params[key]"), hint="twice too large"),
        WrongAnswer("the biases decayed too", decay(
            keys='("W1", "b1", "W2", "b2")'), hint="the biases are not decayed"),
        WrongAnswer("the decay left out of the gradient", decay(step="grads[key] = grads[key]"),
                    hint="the decay is missing"),
        WrongAnswer("the decay subtracted from the gradient", decay(
            step="grads[key] = grads[key] - weight_decay * net.params[key]"), hint="wrong sign"),
        WrongAnswer("the norm instead of the squared norm", decay(
            penalty='penalty = sum(np.sqrt(np.sum(net.params[key] ** 2)) for key in ("W1", "W2"))'),
            hint="not its square root"),
        WrongAnswer("decays the weights themselves", decay(
            step="net.params[key] *= 1 - weight_decay\n        grads[key] = grads[key] + weight_decay * net.params[key]"),
            hint="changed net.params"),
    ],
    "learning_rate_sweep": [
        WrongAnswer("one network trained on with every learning rate", sweep(
            net_line="", before="    net = TwoLayerNet(x_train.shape[1], hidden_size, 10, weight_init_std=0.1, "
                                "rng=np.random.default_rng(seed))\n"), hint="fresh network"),
        WrongAnswer("one batch generator for all learning rates", sweep(
            rng_line="", before="    rng = np.random.default_rng(seed)\n"), hint="fresh batch generator"),
        WrongAnswer("unseeded batches", sweep(rng_line="        rng = np.random.default_rng()\n"),
                    hint="seeded with seed"),
        WrongAnswer("the seed argument ignored", sweep(
            net_line="        net = TwoLayerNet(x_train.shape[1], hidden_size, 10, weight_init_std=0.1, "
                     "rng=np.random.default_rng(0))\n",
            rng_line="        rng = np.random.default_rng(0)\n"), hint="seed every generator with seed"),
        WrongAnswer("accuracy measured on the training data", sweep(
            measure="accuracies.append(net.accuracy(x_train, t_train))"), hint="measure the trained network on validation_data"),
        WrongAnswer("accuracy measured on the test set", sweep(
            measure="(_, _), (x_test, t_test) = load_mnist()\n        accuracies.append(net.accuracy(x_test, t_test))"),
            hint="never the test set"),
        WrongAnswer("weight decay not used in training", sweep(
            grads="grads = net.gradient(x_batch, t_batch)"), hint="train with loss_and_gradient_with_decay"),
        WrongAnswer("a step up the gradient", sweep(
            update="net.params[key] = net.params[key] + learning_rate * grads[key]"), hint="p = p - learning_rate * grad"),
        WrongAnswer("the size arguments ignored", sweep(
            net_line="        net = TwoLayerNet(x_train.shape[1], 30, 10, weight_init_std=0.1, "
                     "rng=np.random.default_rng(seed))\n",
            batch="x_batch, t_batch = sample_batch(x_train, t_train, 50, rng)",
            loop="for _ in range(200):"), hint="use the arguments iterations, batch_size and hidden_size"),
        WrongAnswer("returns a list", sweep(result="return accuracies"), hint="numpy.ndarray"),
        WrongAnswer("trains with the package's train", '''
from nntrain import train

def learning_rate_sweep(learning_rates, train_data, validation_data, weight_decay=0.0, seed=0,
                        iterations=200, batch_size=50, hidden_size=30):
    accuracies = []
    for learning_rate in learning_rates:
        net = TwoLayerNet(784, hidden_size, 10, weight_init_std=0.1, rng=np.random.default_rng(seed))
        history = train(net, train_data, validation_data, iterations=iterations, batch_size=batch_size,
                        learning_rate=learning_rate, seed=seed, progress=False)
        accuracies.append(history.validation_accuracy[-1])
    return np.array(accuracies)
''', hint="write learning_rate_sweep yourself"),
    ],
}
