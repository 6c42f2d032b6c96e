"""Wrong answers for the chapter 5 assignment: gradient descent, with a stopping rule, with momentum."""
from . import WrongAnswer

MOMENTUM = '''
def momentum_descent(f, init_x, lr=0.01, momentum=0.9, step_num=100):
    x = np.array(init_x, dtype=float)
    velocity = np.zeros_like(x)
    for _ in range(step_num):
        velocity = momentum * velocity - lr * numerical_gradient(f, x)
        x += velocity
    return x
'''


def momentum(*changes):
    """The correct momentum_descent with each (old, new) piece of it replaced."""
    source = MOMENTUM
    for old, new in changes:
        assert old in source, old
        source = source.replace(old, new)
    return source


#: answer cells whose answer is in neither the lessons nor the package (checked by test_balance.py)
NEW_TASKS = {
    "gradient_descent_tol": "the lesson shows why grad.all() measures nothing and names the gradient's "
                            "length; a descent that tests it before every step, counts its steps and "
                            "stops after max_steps is the student's",
    "momentum_descent": "momentum is in neither the lessons nor the package (chapter 8 only names it as "
                        "further reading); the task gives the update rule, and its code and its "
                        "behaviour on a ravine are the student's",
}
#: test cells whose points reward refusing bad input
INPUT_CHECKS = set()

WRONG_ANSWERS = {
    "gradient_descent": [
        WrongAnswer("x = init_x: modifies init_x in place", '''
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = init_x
    for i in range(step_num):
        grad = numerical_gradient(f, x)
        x -= lr * grad
    return x
''', hint="start from a copy"),
        WrongAnswer("wrong sign: gradient ascent", '''
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = np.array(init_x, dtype=float)
    for _ in range(step_num):
        x += lr * numerical_gradient(f, x)
    return x
''', hint="gradient ascent"),
        WrongAnswer("one step too many", '''
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = np.array(init_x, dtype=float)
    for _ in range(step_num + 1):
        x -= lr * numerical_gradient(f, x)
    return x
''', hint="take exactly step_num steps"),
        WrongAnswer("one step too few", '''
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = np.array(init_x, dtype=float)
    for _ in range(1, step_num):
        x -= lr * numerical_gradient(f, x)
    return x
''', hint="take exactly step_num steps"),
        WrongAnswer("lr ignored", '''
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = np.array(init_x, dtype=float)
    for _ in range(step_num):
        x -= 0.01 * numerical_gradient(f, x)
    return x
''', hint="lr is ignored"),
        WrongAnswer("copies but keeps integers", '''
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = np.array(init_x)
    for _ in range(step_num):
        x = x - lr * numerical_gradient(f, x)
    return x
''', hint="np.array(init_x, dtype=float)"),
        WrongAnswer("returns the whole path", '''
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = np.array(init_x, dtype=float)
    path = [x.copy()]
    for _ in range(step_num):
        x -= lr * numerical_gradient(f, x)
        path.append(x.copy())
    return path
''', hint="return the final point"),
        WrongAnswer("imported from the package", '''
from nntrain import gradient_descent
''', hint="yourself"),
        WrongAnswer("wraps the package function", '''
import nntrain

def gradient_descent(f, init_x, lr=0.01, step_num=100):
    return nntrain.gradient_descent(f, init_x, lr=lr, step_num=step_num)
''', hint="yourself"),
        WrongAnswer("the last point of the package's descent_path", '''
from nntrain import descent_path

def gradient_descent(f, init_x, lr=0.01, step_num=100):
    return descent_path(f, init_x, lr=lr, step_num=step_num)[-1]
''', hint="yourself"),
        WrongAnswer("imports inside the function", '''
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    from nntrain import gradient_descent as package_descent
    return package_descent(f, init_x, lr, step_num)
''', hint="yourself"),
    ],
    "gradient_descent_tol": [
        WrongAnswer("the test grad.all() < tol", '''
def gradient_descent_tol(f, init_x, lr=0.01, tol=1e-6, max_steps=10_000):
    x = np.array(init_x, dtype=float)
    for step in range(max_steps):
        grad = numerical_gradient(f, x)
        if grad.all() < tol:
            return x, step
        x -= lr * grad
    return x, max_steps
''', hint="grad.all()"),
        WrongAnswer("every entry below tol, without abs", '''
def gradient_descent_tol(f, init_x, lr=0.01, tol=1e-6, max_steps=10_000):
    x = np.array(init_x, dtype=float)
    for step in range(max_steps):
        grad = numerical_gradient(f, x)
        if np.all(grad < tol):
            return x, step
        x -= lr * grad
    return x, max_steps
''', hint="np.linalg.norm(grad) < tol"),
        WrongAnswer("sum of the gradient instead of its length", '''
def gradient_descent_tol(f, init_x, lr=0.01, tol=1e-6, max_steps=10_000):
    x = np.array(init_x, dtype=float)
    for step in range(max_steps):
        grad = numerical_gradient(f, x)
        if abs(np.sum(grad)) < tol:
            return x, step
        x -= lr * grad
    return x, max_steps
''', hint="np.linalg.norm(grad) < tol"),
        WrongAnswer("checks only after stepping", '''
def gradient_descent_tol(f, init_x, lr=0.01, tol=1e-6, max_steps=10_000):
    x = np.array(init_x, dtype=float)
    for step in range(1, max_steps + 1):
        x -= lr * numerical_gradient(f, x)
        if np.linalg.norm(numerical_gradient(f, x)) < tol:
            return x, step
    return x, max_steps
''', hint="before each step (the start too)"),
        WrongAnswer("counts one step too many", '''
def gradient_descent_tol(f, init_x, lr=0.01, tol=1e-6, max_steps=10_000):
    x = np.array(init_x, dtype=float)
    for step in range(max_steps):
        grad = numerical_gradient(f, x)
        if np.linalg.norm(grad) < tol:
            return x, step + 1
        x -= lr * grad
    return x, max_steps
''', hint="count the steps you actually took"),
        WrongAnswer("returns the loop variable after max_steps", '''
def gradient_descent_tol(f, init_x, lr=0.01, tol=1e-6, max_steps=10_000):
    x = np.array(init_x, dtype=float)
    step = 0
    for step in range(max_steps):
        grad = numerical_gradient(f, x)
        if np.linalg.norm(grad) < tol:
            break
        x -= lr * grad
    return x, step
''', hint="ends at max_steps - 1"),
        WrongAnswer("modifies init_x", '''
def gradient_descent_tol(f, init_x, lr=0.01, tol=1e-6, max_steps=10_000):
    x = init_x
    for step in range(max_steps):
        grad = numerical_gradient(f, x)
        if np.linalg.norm(grad) < tol:
            return x, step
        x -= lr * grad
    return x, max_steps
''', hint="start from a copy"),
        WrongAnswer("returns only x", '''
def gradient_descent_tol(f, init_x, lr=0.01, tol=1e-6, max_steps=10_000):
    x = np.array(init_x, dtype=float)
    for step in range(max_steps):
        grad = numerical_gradient(f, x)
        if np.linalg.norm(grad) < tol:
            break
        x -= lr * grad
    return x
''', hint="return x, steps"),
        WrongAnswer("imports the package's descent inside the function", '''
def gradient_descent_tol(f, init_x, lr=0.01, tol=1e-6, max_steps=10_000):
    import nntrain
    x = np.array(init_x, dtype=float)
    for step in range(max_steps):
        if np.linalg.norm(numerical_gradient(f, x)) < tol:
            return x, step
        x = nntrain.gradient_descent(f, x, lr=lr, step_num=1)
    return x, max_steps
''', hint="yourself"),
        ],
    "momentum_descent": [
        WrongAnswer("velocity reset at every step: plain descent", momentum(
            ("    velocity = np.zeros_like(x)\n    for _ in range(step_num):\n",
             "    for _ in range(step_num):\n        velocity = np.zeros_like(x)\n")),
            hint="the velocity is lost between steps"),
        WrongAnswer("x moved with the old velocity", momentum(
            ("        velocity = momentum * velocity - lr * numerical_gradient(f, x)\n        x += velocity\n",
             "        x += velocity\n        velocity = momentum * velocity - lr * numerical_gradient(f, x)\n")),
            hint="update v first"),
        WrongAnswer("velocity adds the gradient: ascent", momentum(("velocity - lr *", "velocity + lr *")),
                    hint="moved uphill"),
        WrongAnswer("gradient at the look-ahead point (Nesterov)", momentum(
            ("numerical_gradient(f, x)", "numerical_gradient(f, x + momentum * velocity)")), hint="look-ahead point"),
        WrongAnswer("momentum fixed at 0.9", momentum(("velocity = momentum * velocity", "velocity = 0.9 * velocity")),
                    hint="argument momentum is ignored"),
        WrongAnswer("modifies init_x", momentum(("x = np.array(init_x, dtype=float)", "x = init_x")),
                    hint="start from a copy"),
        WrongAnswer("velocity kept between calls", '''
state = {}

def momentum_descent(f, init_x, lr=0.01, momentum=0.9, step_num=100):
    x = np.array(init_x, dtype=float)
    velocity = state.get(x.shape, np.zeros_like(x))
    for _ in range(step_num):
        velocity = momentum * velocity - lr * numerical_gradient(f, x)
        x += velocity
    state[x.shape] = velocity
    return x
''', hint="start at 0 in every call"),
        WrongAnswer("steps with the package's gradient_descent", '''
import nntrain

def momentum_descent(f, init_x, lr=0.01, momentum=0.9, step_num=100):
    x = np.array(init_x, dtype=float)
    velocity = np.zeros_like(x)
    for _ in range(step_num):
        moved = nntrain.gradient_descent(f, x, lr=lr, step_num=1)
        velocity = momentum * velocity + (moved - x)
        x += velocity
    return x
''', hint="yourself"),
    ],
}
