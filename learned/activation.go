package learned

import (
	"fmt"
	"math"
)

// Activation is an elementwise nonlinearity σ, named as it is in model files.
// The empty string means Identity.
type Activation string

// The activations. Their derivatives, which Backward uses, are
//
//	identity  σ(x) = x                 σ' = 1
//	tanh      σ(x) = tanh x            σ' = 1 − σ²
//	relu      σ(x) = max(0, x)         σ' = [x > 0]  (0 at the kink)
//	softplus  σ(x) = log(1 + eˣ)       σ' = 1/(1 + e⁻ˣ)
//	sigmoid   σ(x) = 1/(1 + e⁻ˣ)       σ' = σ(1 − σ)
const (
	Identity Activation = "identity"
	Tanh     Activation = "tanh"
	ReLU     Activation = "relu"
	Softplus Activation = "softplus"
	Sigmoid  Activation = "sigmoid"
)

// Validate returns an error naming the allowed values when a is not one of them.
func (a Activation) Validate() error {
	switch a {
	case "", Identity, Tanh, ReLU, Softplus, Sigmoid:
		return nil
	}
	return fmt.Errorf("learned: unknown activation %q (allowed: identity, tanh, relu, softplus, sigmoid)", string(a))
}

// weightInit is the initialisation suited to weights feeding this activation.
func (a Activation) weightInit() WeightInit {
	if a == ReLU || a == Softplus {
		return HeUniform
	}
	return GlorotUniform
}

// Forward writes σ(x) into dst; dst may be x.
func (a Activation) Forward(dst, x []float64) {
	if len(x) == 0 {
		return
	}
	_ = dst[len(x)-1]
	switch a {
	case "", Identity:
		copy(dst, x)
	case Tanh:
		for i, v := range x {
			dst[i] = math.Tanh(v)
		}
	case ReLU:
		for i, v := range x {
			dst[i] = max(v, 0)
		}
	case Softplus:
		for i, v := range x {
			dst[i] = softplus(v)
		}
	case Sigmoid:
		for i, v := range x {
			dst[i] = sigmoid(v)
		}
	default:
		panic(a.Validate())
	}
}

// Backward writes dy ⊙ σ'(x) into dst, given x and y = σ(x) from Forward
// (each derivative uses whichever is cheaper). The Jacobian of an elementwise
// map is diagonal, so the same call is also the forward-mode product with a
// tangent dy. dst may be dy.
func (a Activation) Backward(dst, x, y, dy []float64) {
	if len(dy) == 0 {
		return
	}
	_ = dst[len(dy)-1]
	switch a {
	case "", Identity:
		copy(dst, dy)
	case Tanh:
		for i, g := range dy {
			dst[i] = g * (1 - y[i]*y[i])
		}
	case ReLU:
		for i, g := range dy {
			if x[i] > 0 {
				dst[i] = g
			} else {
				dst[i] = 0
			}
		}
	case Softplus:
		for i, g := range dy {
			dst[i] = g * sigmoid(x[i])
		}
	case Sigmoid:
		for i, g := range dy {
			dst[i] = g * y[i] * (1 - y[i])
		}
	default:
		panic(a.Validate())
	}
}

// sigmoid is 1/(1+e⁻ˣ), evaluated without overflow for either sign of x.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus is log(1+eˣ), evaluated without overflow for large x.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}
