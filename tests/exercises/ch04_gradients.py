"""Wrong answers for the chapter 4 assignment (numerical_gradient for any shape)."""
from . import WrongAnswer

WRONG_ANSWERS = {
    "numerical_gradient": [
        WrongAnswer("the seed's 1-D version (flat index)", '''
def numerical_gradient(f, x, h=1e-4):
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a float array")
    grad = np.zeros_like(x)
    for idx in range(x.size):
        tmp_val = x[idx]
        x[idx] = tmp_val + h
        fxh1 = f(x)
        x[idx] = tmp_val - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val
    return grad
''', hint="np.ndindex(x.shape)"),
        WrongAnswer("x not restored", '''
def numerical_gradient(f, x, h=1e-4):
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a float array")
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + h
        f_plus = f(x)
        x[idx] = original - h
        f_minus = f(x)
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
''', hint="write that saved value back"),
        WrongAnswer("restored by arithmetic (rounding drift)", '''
def numerical_gradient(f, x, h=1e-4):
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a float array")
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        f_plus = f(x)
        x[idx] -= 2 * h
        f_minus = f(x)
        x[idx] += h
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
''', hint="leaves rounding errors"),
        WrongAnswer("forward difference", '''
def numerical_gradient(f, x, h=1e-4):
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a float array")
    grad = np.zeros_like(x)
    f_x = f(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + h
        grad[idx] = (f(x) - f_x) / h
        x[idx] = original
    return grad
''', hint="forward difference"),
        WrongAnswer("divides by h instead of 2h", '''
def numerical_gradient(f, x, h=1e-4):
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a float array")
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + h
        f_plus = f(x)
        x[idx] = original - h
        f_minus = f(x)
        x[idx] = original
        grad[idx] = (f_plus - f_minus) / h
    return grad
''', hint="/ (2h)"),
        WrongAnswer("no dtype check: zeros_like of an integer array", '''
def numerical_gradient(f, x, h=1e-4):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + h
        f_plus = f(x)
        x[idx] = original - h
        f_minus = f(x)
        x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
''', hint="instead of raising TypeError"),
        WrongAnswer("returns a flattened array", '''
def numerical_gradient(f, x, h=1e-4):
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a float array")
    grad = np.zeros(x.size)
    for i, idx in enumerate(np.ndindex(x.shape)):
        original = x[idx]
        x[idx] = original + h
        f_plus = f(x)
        x[idx] = original - h
        f_minus = f(x)
        x[idx] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
''', hint="do not flatten"),
        WrongAnswer("nudges a copy of x", '''
def numerical_gradient(f, x, h=1e-4):
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a float array")
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[idx] += h
        x_minus[idx] -= h
        grad[idx] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad
''', hint="not a copy of x"),
        WrongAnswer("only float64 accepted", '''
def numerical_gradient(f, x, h=1e-4):
    if x.dtype != np.float64:
        raise TypeError("x must be a float array")
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + h
        f_plus = f(x)
        x[idx] = original - h
        f_minus = f(x)
        x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
''', hint="float32"),
        WrongAnswer("h ignored", '''
def numerical_gradient(f, x, h=1e-4):
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a float array")
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + 1e-4
        f_plus = f(x)
        x[idx] = original - 1e-4
        f_minus = f(x)
        x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * 1e-4)
    return grad
''', hint="argument h is ignored"),
        WrongAnswer("flattens x with reshape(-1) (a copy when x is not contiguous)", '''
def numerical_gradient(f, x, h=1e-4):
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a float array")
    flat = x.reshape(-1)
    grad = np.zeros(flat.size)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + h
        f_plus = f(x)
        flat[i] = original - h
        f_minus = f(x)
        flat[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad.reshape(x.shape)
''', hint="nudge the entries of x itself, not a copy"),
        WrongAnswer("imported from the package", '''
from nntrain import numerical_gradient
''', hint="write your own"),
        WrongAnswer("wraps the package function", '''
import nntrain

def numerical_gradient(f, x, h=1e-4):
    return nntrain.numerical_gradient(f, x, h)
''', hint="write your own"),
        WrongAnswer("imports inside the function", '''
def numerical_gradient(f, x, h=1e-4):
    from nntrain.gradient import numerical_gradient as reference
    return reference(f, x, h)
''', hint="write your own"),
    ],
}
