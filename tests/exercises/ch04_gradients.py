"""Wrong answers for the chapter 4 assignment: numerical_gradient, quadratic_gradient, worst_entry."""
from . import WrongAnswer

#: answer cells whose answer is in neither the lessons nor the package (checked by test_balance.py)
NEW_TASKS = {
    "quadratic_gradient": "the lessons differentiate sums of squares, whose gradients are given; the gradient "
                          "of 0.5 x^T A x + b^T x for a matrix A that is not symmetric, 0.5 (A + A^T) x + b, "
                          "is derived by the student",
    "worst_entry": "the course compares two gradients by one number (relative_error, relative_difference); "
                   "finding the entry where a hand-derived gradient and the numerical one disagree most, as "
                   "an index tuple for any shape, with its signed gap, is the student's",
}
#: test cells whose points reward refusing bad input
INPUT_CHECKS = {"test_gradient_integer_arrays"}

WRONG_ANSWERS = {
    "numerical_gradient": [
        WrongAnswer("the 1-D version: a flat index", '''
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
''', hint="truncates it back to an integer"),
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
''', hint="f never sees the nudges"),
        WrongAnswer("imported from the package", '''
from nntrain import numerical_gradient
''', hint="yourself"),
        WrongAnswer("wraps the package function", '''
import nntrain

def numerical_gradient(f, x, h=1e-4):
    return nntrain.numerical_gradient(f, x, h)
''', hint="yourself"),
        WrongAnswer("imports inside the function", '''
def numerical_gradient(f, x, h=1e-4):
    from nntrain.gradient import numerical_gradient as reference
    return reference(f, x, h)
''', hint="yourself"),
            WrongAnswer("nudges copies but evaluates f at x", '''
def numerical_gradient(f, x, h=1e-4):
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a float array")
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[idx] += h
        x_minus[idx] -= h
        grad[idx] = (f(x) - f(x)) / (2 * h)
    return grad
''', hint="evaluated at the nudged points"),
    ],
    "quadratic_gradient": [
        WrongAnswer("assumes A is symmetric: A x + b", '''
def quadratic_gradient(A, b, x):
    return A @ x + b
''', hint="only for a symmetric A"),
        WrongAnswer("x @ A + b, that is A^T x + b", '''
def quadratic_gradient(A, b, x):
    return x @ A + b
''', hint="only for a symmetric A"),
        WrongAnswer("the factor 1/2 forgotten", '''
def quadratic_gradient(A, b, x):
    return (A + A.T) @ x + b
''', hint="factor 1/2 in f is missing"),
        WrongAnswer("b forgotten", '''
def quadratic_gradient(A, b, x):
    return 0.5 * (A + A.T) @ x
''', hint="b is missing"),
        WrongAnswer("element-wise product instead of a matrix product", '''
def quadratic_gradient(A, b, x):
    return 0.5 * (A + A.T) * x + b
''', hint="should have shape (2,)"),
        WrongAnswer("numerical differentiation instead of the formula", '''
def quadratic_gradient(A, b, x):
    return numerical_gradient(lambda x: 0.5 * x @ A @ x + b @ x, np.array(x, dtype=float))
''', hint="write the formula you derived"),
        WrongAnswer("the package's numerical gradient instead of the formula", '''
def quadratic_gradient(A, b, x):
    from nntrain import numerical_gradient as gradient
    return gradient(lambda x: 0.5 * x @ A @ x + b @ x, np.array(x, dtype=float))
''', hint="yourself"),
    ],
    "worst_entry": [
        WrongAnswer("a flat index from np.argmax", '''
def worst_entry(f, grad_f, x, h=1e-4):
    difference = np.array(grad_f(x), dtype=float) - numerical_gradient(f, x, h)
    flat = np.argmax(np.abs(difference))
    return flat, float(difference.flat[flat])
''', hint="np.unravel_index"),
        WrongAnswer("largest signed difference, not largest in size", '''
def worst_entry(f, grad_f, x, h=1e-4):
    difference = np.array(grad_f(x), dtype=float) - numerical_gradient(f, x, h)
    idx = np.unravel_index(np.argmax(difference), x.shape)
    return tuple(int(i) for i in idx), float(difference[idx])
''', hint="abs(analytic - numerical)"),
        WrongAnswer("numerical minus analytic", '''
def worst_entry(f, grad_f, x, h=1e-4):
    difference = numerical_gradient(f, x, h) - np.array(grad_f(x), dtype=float)
    idx = np.unravel_index(np.argmax(np.abs(difference)), x.shape)
    return tuple(int(i) for i in idx), float(difference[idx])
''', hint="the wrong sign"),
        WrongAnswer("its own forward difference", '''
def worst_entry(f, grad_f, x, h=1e-4):
    analytic = np.array(grad_f(x), dtype=float)
    numerical = np.zeros(x.shape)
    f_x = f(x)
    for idx in np.ndindex(x.shape):
        nudged = x.copy()
        nudged[idx] += h
        numerical[idx] = (f(nudged) - f_x) / h
    difference = analytic - numerical
    idx = np.unravel_index(np.argmax(np.abs(difference)), x.shape)
    return tuple(int(i) for i in idx), float(difference[idx])
''', hint="not a forward difference"),
        WrongAnswer("h not passed on", '''
def worst_entry(f, grad_f, x, h=1e-4):
    difference = np.array(grad_f(x), dtype=float) - numerical_gradient(f, x)
    idx = np.unravel_index(np.argmax(np.abs(difference)), x.shape)
    return tuple(int(i) for i in idx), float(difference[idx])
''', hint="argument h is ignored"),
        WrongAnswer("idx as a list", '''
def worst_entry(f, grad_f, x, h=1e-4):
    difference = np.array(grad_f(x), dtype=float) - numerical_gradient(f, x, h)
    idx = np.unravel_index(np.argmax(np.abs(difference)), x.shape)
    return [int(i) for i in idx], float(difference[idx])
''', hint="should be a tuple"),
        WrongAnswer("the package's numerical gradient", '''
import nntrain

def worst_entry(f, grad_f, x, h=1e-4):
    difference = np.array(grad_f(x), dtype=float) - nntrain.numerical_gradient(f, x, h)
    idx = np.unravel_index(np.argmax(np.abs(difference)), x.shape)
    return tuple(int(i) for i in idx), float(difference[idx])
''', hint="yourself"),
    ],
}
