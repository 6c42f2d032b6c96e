"""Wrong answers for the chapter 7 assignment: backward passes and a node checker.

The assignment has five answer cells, one function each: ``affine_backward``,
``check_node``, ``tanh_backward``, ``softplus_backward`` and
``three_layer_gradient``.  Every wrong answer is that whole function with one
plausible mistake: a missing 1/N, a transposed matrix, a bias gradient summed
over the wrong axis or averaged, the derivative of the wrong function, an
upstream gradient forgotten, a checker that cannot see what it is meant to
catch.  The other cells keep the solution, so each mistake is caught on its own.
"""
from . import WrongAnswer


def affine(dx="d_out @ W.T", dW="x.T @ d_out", db="d_out.sum(axis=0)", check=True,
           message='f"d_out must have shape {expected}, got {d_out.shape}"'):
    """affine_backward with the three gradient lines (and the shape check) as given."""
    guard = f'''
    expected = (x.shape[0], W.shape[1])
    if d_out.shape != expected:
        raise ValueError({message})''' if check else ""
    return f'''
def affine_backward(d_out, x, W):
    d_out, x, W = np.asarray(d_out, dtype=float), np.asarray(x, dtype=float), np.asarray(W, dtype=float){guard}
    return {dx}, {dW}, {db}
'''


def checker(body):
    """check_node with the given body."""
    return "def check_node(forward, backward, x, rng):\n" + body


CHECKER_RIGHT_DRAW = "    G = rng.standard_normal(np.shape(forward(x)))\n"
CHECKER_REST = '''    numerical = numerical_gradient(lambda v: np.sum(G * forward(v)), np.array(x, dtype=float))
    return float(relative_difference(backward(x, G), numerical))
'''

THREE_LAYER = '''
def three_layer_gradient(params, x, labels):
    p, n = params, len(x)
    z1 = np.tanh(x @ p["W1"] + p["b1"])
    z2 = np.tanh(z1 @ p["W2"] + p["b2"])
    y = softmax(z2 @ p["W3"] + p["b3"])
    d3 = (y - np.eye(y.shape[1])[labels]) / n
    d2 = (d3 @ p["W3"].T) * (1 - z2 ** 2)
    d1 = (d2 @ p["W2"].T) * (1 - z1 ** 2)
    return {"W3": z2.T @ d3, "b3": d3.sum(axis=0), "W2": z1.T @ d2, "b2": d2.sum(axis=0),
            "W1": x.T @ d1, "b1": d1.sum(axis=0)}
'''


def three_layer(old, new):
    """The correct three_layer_gradient with one piece of it replaced."""
    assert old in THREE_LAYER, old
    return THREE_LAYER.replace(old, new)


#: answer cells whose answer is in neither the lessons nor the package (checked by test_balance.py)
NEW_TASKS = {
    "tanh_backward": "the lesson derives sigmoid and ReLU nodes; tanh's local gradient 1 - y**2 is "
                     "the student's derivation",
    "softplus_backward": "softplus is not in the course; its derivative is the sigmoid, which the "
                         "student must find",
    "three_layer_gradient": "the lesson backpropagates through two layers with sigmoid; three layers "
                            "with tanh, node by node, is the student's",
}
#: test cells whose points reward refusing bad input
INPUT_CHECKS = {"test_affine_backward_checks"}

WRONG_ANSWERS = {
    "affine_backward": [
        WrongAnswer("dW transposed", affine(dW="d_out.T @ x"), hint="transposed"),
        WrongAnswer("db averaged over the batch", affine(db="d_out.mean(axis=0)"),
                    hint="times too small"),
        WrongAnswer("db summed over the wrong axis", affine(db="d_out.sum(axis=1)"),
                    hint="summed over the wrong axis"),
        WrongAnswer("db summed over everything", affine(db="d_out.sum()"),
                    hint="db should have the shape of b, got a single number"),
        WrongAnswer("dW divided by N (the 1/N twice)", affine(dW="x.T @ d_out / len(x)"),
                    hint="do not average or divide by N"),
        WrongAnswer("dx = d_out @ W (W not transposed)", affine(dx="d_out @ W"), hint="inner sizes"),
        WrongAnswer("no shape check (d_out broadcasts)", affine(check=False),
                    hint="check the shape of d_out first"),
        WrongAnswer("a shape error that does not name the shape",
                    affine(message='"d_out has the wrong shape"'), hint="names the expected shape"),
    ],
    "check_node": [
        WrongAnswer("an upstream gradient of ones", checker(
            "    G = np.ones(np.shape(forward(x)))\n" + CHECKER_REST), hint="random upstream gradient"),
        WrongAnswer("G of the input's shape, not the output's", checker(
            "    G = rng.standard_normal(np.shape(x))\n" + CHECKER_REST), hint="the shape of forward(x)"),
        WrongAnswer("the absolute difference, not the relative one", checker(CHECKER_RIGHT_DRAW + '''
    numerical = numerical_gradient(lambda v: np.sum(G * forward(v)), np.array(x, dtype=float))
    return float(np.abs(backward(x, G) - numerical).max())
'''), hint="not their absolute difference"),
        WrongAnswer("its own generator, not rng", checker(
            "    G = np.random.default_rng(0).standard_normal(np.shape(forward(x)))\n" + CHECKER_REST),
                    hint="did not draw from the generator rng"),
        WrongAnswer("returns the numerical gradient, not a number", checker(CHECKER_RIGHT_DRAW + '''
    return numerical_gradient(lambda v: np.sum(G * forward(v)), np.array(x, dtype=float))
'''), hint="should be a single number"),
        WrongAnswer("nudges x in place and never puts it back", checker(CHECKER_RIGHT_DRAW + '''
    numerical = np.zeros(np.shape(x))
    for idx in np.ndindex(np.shape(x)):
        start = x[idx]
        x[idx] = start + 1e-4
        up = np.sum(G * forward(x))
        x[idx] = start - 1e-4
        numerical[idx] = (up - np.sum(G * forward(x))) / 2e-4
    return float(relative_difference(backward(x, G), numerical))
'''), hint="check_node changed x"),
    ],
    "tanh_backward": [
        WrongAnswer("1 - y", "def tanh_backward(d_out, y):\n    return d_out * (1 - y)\n",
                    hint="1 - y is not tanh's derivative"),
        WrongAnswer("the sigmoid's derivative", "def tanh_backward(d_out, y):\n    return d_out * y * (1 - y)\n",
                    hint="the sigmoid's derivative"),
        WrongAnswer("the upstream gradient forgotten", "def tanh_backward(d_out, y):\n    return 1 - y ** 2\n",
                    hint="multiply it by the upstream gradient"),
        WrongAnswer("tanh applied to y again",
                    "def tanh_backward(d_out, y):\n    return d_out * (1 - np.tanh(y) ** 2)\n",
                    hint="y is already tanh(a)"),
    ],
    "softplus_backward": [
        WrongAnswer("the sigmoid's derivative (one derivative too far)",
                    "def softplus_backward(d_out, a):\n    return d_out * sigmoid(a) * (1 - sigmoid(a))\n",
                    hint="one derivative too far"),
        WrongAnswer("softplus itself", "def softplus_backward(d_out, a):\n    return d_out * np.log1p(np.exp(a))\n",
                    hint="softplus itself"),
        WrongAnswer("the upstream gradient forgotten", "def softplus_backward(d_out, a):\n    return sigmoid(a)\n",
                    hint="multiply it by the upstream gradient"),
        WrongAnswer("e^a / (1 + e^a), which overflows",
                    "def softplus_backward(d_out, a):\n    return d_out * np.exp(a) / (1 + np.exp(a))\n",
                    hint="never overflows"),
    ],
    "three_layer_gradient": [
        WrongAnswer("the 1/N forgotten", three_layer("d3 = (y - np.eye(y.shape[1])[labels]) / n",
                                                     "d3 = y - np.eye(y.shape[1])[labels]"),
                    hint="times too large"),
        WrongAnswer("dW3 transposed", three_layer('"W3": z2.T @ d3', '"W3": d3.T @ z2'), hint="transposed"),
        WrongAnswer("the sigmoid's derivative for tanh units",
                    three_layer("(1 - z2 ** 2)", "z2 * (1 - z2)"), hint="from A3 back to A2"),
        WrongAnswer("the first tanh's derivative forgotten",
                    three_layer("d1 = (d2 @ p[\"W2\"].T) * (1 - z1 ** 2)", "d1 = d2 @ p[\"W2\"].T"),
                    hint="from A2 back to A1"),
        WrongAnswer("W2's gradient from the wrong node (A1, not Z1)",
                    three_layer('"W2": z1.T @ d2', '"W2": (x @ p["W1"] + p["b1"]).T @ d2'),
                    hint="input of the layer"),
        WrongAnswer("b3 averaged over the batch", three_layer('"b3": d3.sum(axis=0)', '"b3": d3.mean(axis=0)'),
                    hint="times too small"),
        WrongAnswer("b2 summed over the wrong axis", three_layer('"b2": d2.sum(axis=0)', '"b2": d2.sum(axis=1)'),
                    hint="wrong axis"),
        WrongAnswer("built on a tanh_backward that is wrong", "\ndef tanh_backward(d_out, y):\n"
                    "    return d_out * (1 - y)\n\n" + three_layer(
                        'd2 = (d3 @ p["W3"].T) * (1 - z2 ** 2)\n    d1 = (d2 @ p["W2"].T) * (1 - z1 ** 2)',
                        'd2 = tanh_backward(d3 @ p["W3"].T, z2)\n    d1 = tanh_backward(d2 @ p["W2"].T, z1)'),
                    hint="uses your tanh_backward, which is not right yet"),
        WrongAnswer("a numerical gradient instead of backpropagation", '''
def three_layer_gradient(params, x, labels):
    return {key: numerical_gradient(lambda v: three_layer_loss({**params, key: v}, x, labels), value.copy())
            for key, value in params.items()}
''', hint="is it a numerical gradient?"),
    ],
}
