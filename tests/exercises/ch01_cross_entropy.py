"""Wrong answers for the chapter 1 assignment (softmax, single-sample cross-entropy)."""
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
    ],
    "cross_entropy_error": [
        WrongAnswer("minus sign forgotten", '''
def cross_entropy_error(y, t):
    return np.sum(t * np.log(y + 1e-7))
''', hint="minus sign"),
        WrongAnswer("no delta", '''
def cross_entropy_error(y, t):
    return -np.sum(t * np.log(y))
''', hint="delta"),
        WrongAnswer("delta outside the log", '''
def cross_entropy_error(y, t):
    return -np.sum(t * (np.log(y) + 1e-7))
''', hint="delta"),
        WrongAnswer("log10 instead of the natural log", '''
def cross_entropy_error(y, t):
    return -np.sum(t * np.log10(y + 1e-7))
''', hint="natural log"),
        WrongAnswer("averaged over classes", '''
def cross_entropy_error(y, t):
    return -np.mean(t * np.log(y + 1e-7))
''', hint="not average"),
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
    ],
}
