"""Wrong answers for the chapter 3 assignment (central difference, partial derivative)."""
from . import WrongAnswer

WRONG_ANSWERS = {
    "numerical_diff": [
        WrongAnswer("forward difference", '''
def numerical_diff(f, x, h=1e-4):
    return (f(x + h) - f(x)) / h
''', hint="forward difference"),
        WrongAnswer("backward difference", '''
def numerical_diff(f, x, h=1e-4):
    return (f(x) - f(x - h)) / h
''', hint="backward difference"),
        WrongAnswer("divides by h instead of 2h", '''
def numerical_diff(f, x, h=1e-4):
    return (f(x + h) - f(x - h)) / h
''', hint="divide by 2 * h"),
        WrongAnswer("/ 2 * h without parentheses", '''
def numerical_diff(f, x, h=1e-4):
    return (f(x + h) - f(x - h)) / 2 * h
''', hint="parentheses"),
        WrongAnswer("h = 1e-50", '''
def numerical_diff(f, x, h=1e-50):
    return (f(x + h) - f(x - h)) / (2 * h)
''', hint="x + h == x"),
        WrongAnswer("ignores the h argument", '''
def numerical_diff(f, x, h=1e-4):
    step = 1e-4
    return (f(x + step) - f(x - step)) / (2 * step)
''', hint="ignores the h argument"),
        WrongAnswer("sign swapped", '''
def numerical_diff(f, x, h=1e-4):
    return (f(x - h) - f(x + h)) / (2 * h)
''', hint="sign"),
        WrongAnswer("converts x with float()", '''
def numerical_diff(f, x, h=1e-4):
    x = float(x)
    return (f(x + h) - f(x - h)) / (2 * h)
''', hint="array of points"),
        WrongAnswer("imported from the package", '''
from nntrain import numerical_diff
''', hint="write your own"),
    ],
    "partial_derivative": [
        WrongAnswer("nudges every coordinate", '''
def partial_derivative(f, x, i, h=1e-4):
    x = np.array(x, dtype=float)
    return (f(x + h) - f(x - h)) / (2 * h)
''', hint="every coordinate"),
        WrongAnswer("forward difference", '''
def partial_derivative(f, x, i, h=1e-4):
    nudged = np.array(x, dtype=float)
    f_x = f(nudged)
    nudged[i] += h
    return (f(nudged) - f_x) / h
''', hint="forward difference"),
        WrongAnswer("divides by h instead of 2h", '''
def partial_derivative(f, x, i, h=1e-4):
    nudged = np.array(x, dtype=float)
    nudged[i] += h
    f_plus = f(nudged)
    nudged[i] -= 2 * h
    return (f_plus - f(nudged)) / h
''', hint="divide by 2 * h"),
        WrongAnswer("the seed's way: nudges x in place (integer points truncate)", '''
def partial_derivative(f, x, i, h=1e-4):
    tmp_val = x[i]
    x[i] = tmp_val + h
    fxh1 = f(x)
    x[i] = tmp_val - h
    fxh2 = f(x)
    x[i] = tmp_val
    return (fxh1 - fxh2) / (2 * h)
''', hint="integer"),
        WrongAnswer("copies without converting to float", '''
def partial_derivative(f, x, i, h=1e-4):
    nudged = x.copy()
    nudged[i] = x[i] + h
    f_plus = f(nudged)
    nudged[i] = x[i] - h
    return (f_plus - f(nudged)) / (2 * h)
''', hint="integer"),
        WrongAnswer("modifies the caller's float array", '''
def partial_derivative(f, x, i, h=1e-4):
    x = np.asarray(x, dtype=float)
    original = x[i]
    x[i] = original + h
    f_plus = f(x)
    x[i] = original - h
    return (f_plus - f(x)) / (2 * h)
''', hint="must not modify"),
        WrongAnswer("ignores the h argument", '''
def partial_derivative(f, x, i, h=1e-4):
    step = 1e-4
    nudged = np.array(x, dtype=float)
    nudged[i] += step
    f_plus = f(nudged)
    nudged[i] -= 2 * step
    return (f_plus - f(nudged)) / (2 * step)
''', hint="ignores the h argument"),
        WrongAnswer("flattens the point (no tuple index)", '''
def partial_derivative(f, x, i, h=1e-4):
    flat = np.array(x, dtype=float).ravel()
    flat[i] += h
    f_plus = f(flat.reshape(np.shape(x)))
    flat[i] -= 2 * h
    return (f_plus - f(flat.reshape(np.shape(x)))) / (2 * h)
''', hint="tuple"),
        WrongAnswer("imported from the package (no such function)", '''
from nntrain.gradient import numerical_gradient

def partial_derivative(f, x, i, h=1e-4):
    return numerical_gradient(f, np.array(x, dtype=float), h)[i]
''', hint="write your own"),
    ],
}
