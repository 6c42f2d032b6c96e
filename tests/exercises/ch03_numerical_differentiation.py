"""Wrong answers for the chapter 3 assignment (central difference, partial derivative,
second derivative, Richardson extrapolation, measured order)."""
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
''', hint="yourself"),
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
        WrongAnswer("nudges x in place (integer points truncate)", '''
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
''', hint="yourself"),
    ],
    "second_derivative": [
        WrongAnswer("divides by 2 h**2", """
def second_derivative(f, x, h=1e-4):
    return (f(x + h) - 2 * f(x) + f(x - h)) / (2 * h**2)
""", hint="not 2 h**2"),
        WrongAnswer("divides by (2h)**2", """
def second_derivative(f, x, h=1e-4):
    return (f(x + h) - 2 * f(x) + f(x - h)) / (2 * h)**2
""", hint="not (2h)**2"),
        WrongAnswer("the forward second difference", """
def second_derivative(f, x, h=1e-4):
    return (f(x + 2 * h) - 2 * f(x + h) + f(x)) / h**2
""", hint="forward second difference"),
        WrongAnswer("the central difference of the central difference", """
def second_derivative(f, x, h=1e-4):
    return numerical_diff(lambda u: numerical_diff(f, u, h), x, h)
""", hint="central difference of the central difference"),
        WrongAnswer("sign flipped", """
def second_derivative(f, x, h=1e-4):
    return (2 * f(x) - f(x + h) - f(x - h)) / h**2
""", hint="sign is wrong"),
        WrongAnswer("ignores the h argument", """
def second_derivative(f, x, h=1e-4):
    step = 1e-4
    return (f(x + step) - 2 * f(x) + f(x - step)) / step**2
""", hint="ignores the h argument"),
        WrongAnswer("a tiny default step", """
def second_derivative(f, x, h=1e-8):
    return (f(x + h) - 2 * f(x) + f(x - h)) / h**2
""", hint="default h = 1e-4"),
        WrongAnswer("the package's numerical_diff twice", """
from nntrain import numerical_diff as package_diff

def second_derivative(f, x, h=1e-4):
    return (package_diff(f, x + h / 2, h / 2) - package_diff(f, x - h / 2, h / 2)) / h
""", hint="yourself"),
    ],
    "richardson_diff": [
        WrongAnswer("weights swapped", """
def richardson_diff(f, x, h=1e-3):
    return (4 * numerical_diff(f, x, h) - numerical_diff(f, x, h / 2)) / 3
""", hint="weights are swapped"),
        WrongAnswer("the weights 2 and -1", """
def richardson_diff(f, x, h=1e-3):
    return 2 * numerical_diff(f, x, h / 2) - numerical_diff(f, x, h)
""", hint="cancel an error of order h"),
        WrongAnswer("steps h and 2h", """
def richardson_diff(f, x, h=1e-3):
    return (4 * numerical_diff(f, x, h) - numerical_diff(f, x, 2 * h)) / 3
""", hint="D(2h)"),
        WrongAnswer("sign flipped", """
def richardson_diff(f, x, h=1e-3):
    return (numerical_diff(f, x, h) - 4 * numerical_diff(f, x, h / 2)) / 3
""", hint="sign is wrong"),
        WrongAnswer("D(h) alone", """
def richardson_diff(f, x, h=1e-3):
    return (f(x + h) - f(x - h)) / (2 * h)
""", hint="D(h) alone"),
        WrongAnswer("ignores the h argument", """
def richardson_diff(f, x, h=1e-3):
    step = 1e-3
    return (4 * numerical_diff(f, x, step / 2) - numerical_diff(f, x, step)) / 3
""", hint="ignores the h argument"),
        WrongAnswer("Richardson on forward differences", """
def richardson_diff(f, x, h=1e-3):
    def forward(step):
        return (f(x + step) - f(x)) / step
    return (4 * forward(h / 2) - forward(h)) / 3
""", hint="a forward difference does"),
        WrongAnswer("built on the package's numerical_diff", """
from nntrain import numerical_diff as package_diff

def richardson_diff(f, x, h=1e-3):
    return (4 * package_diff(f, x, h / 2) - package_diff(f, x, h)) / 3
""", hint="yourself"),
    ],
    "measured_order": [
        WrongAnswer("signed errors (log of a negative number)", """
def measured_order(method, f, x, exact, hs):
    errors = np.array([method(f, x, h) - exact for h in hs])
    return float(np.polyfit(np.log(hs), np.log(errors), 1)[0])
""", hint="take the absolute value of the error"),
        WrongAnswer("fits log h against log error", """
def measured_order(method, f, x, exact, hs):
    errors = np.abs([method(f, x, h) - exact for h in hs])
    return float(np.polyfit(np.log(errors), np.log(hs), 1)[0])
""", hint="fitted log h against log|error|"),
        WrongAnswer("returns the intercept", """
def measured_order(method, f, x, exact, hs):
    errors = np.abs([method(f, x, h) - exact for h in hs])
    return float(np.polyfit(np.log(hs), np.log(errors), 1)[1])
""", hint="returns [slope, intercept]"),
        WrongAnswer("slope through the end points only", """
def measured_order(method, f, x, exact, hs):
    errors = np.abs([method(f, x, h) - exact for h in hs])
    return float(np.log(errors[-1] / errors[0]) / np.log(hs[-1] / hs[0]))
""", hint="the first and last points"),
        WrongAnswer("logs only the errors", """
def measured_order(method, f, x, exact, hs):
    errors = np.abs([method(f, x, h) - exact for h in hs])
    return float(np.polyfit(np.asarray(hs, dtype=float), np.log(errors), 1)[0])
""", hint="should be 3"),
    ],
}
