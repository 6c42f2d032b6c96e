"""nntrain: the shared package of the course *Neural Network Training from Scratch*.

Each module follows one chapter's idea:

* :mod:`nntrain.functions` - softmax, cross-entropy, sigmoid (chapters 1-2)
* :mod:`nntrain.gradient` - numerical differentiation and gradient descent (chapters 3-5)
* :mod:`nntrain.layers` - the nodes of a computational graph: Affine, Sigmoid, ReLU,
  SoftmaxWithLoss, each with a forward and a backward pass (chapter 7)
* :mod:`nntrain.networks` - SimpleNet and TwoLayerNet, with numerical and
  backpropagated gradients (chapters 6-8)
* :mod:`nntrain.datasets` - MNIST, mini-batches, the validation split (chapters 2 and 8)
* :mod:`nntrain.training` - mini-batch SGD and the gradient check (chapter 8)
* :mod:`nntrain.plotting` - loss and accuracy curves (chapter 8)
"""
from .datasets import load_mnist, sample_batch, validation_split
from .functions import cross_entropy_error, one_hot, sigmoid, softmax
from .gradient import (descent_path, gradient_descent, numerical_diff, numerical_gradient,
                       relative_error)
from .layers import Affine, ReLU, Sigmoid, SoftmaxWithLoss
from .networks import SimpleNet, TwoLayerNet
from .plotting import plot_accuracy, plot_loss
from .training import History, check_gradient, relative_difference, train

__version__ = "1.0.0"
