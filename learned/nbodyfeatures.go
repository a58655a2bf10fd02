package learned

import (
	"encoding/json"
	"fmt"

	"github.com/physid/physid/nbody"
)

// KindNBodyAug is the Kind of NBodyFeatures in model files.
const KindNBodyAug = "nbody-aug"

// NBodyFeatures is the augmented input of the paper's Eq. 33 as a feature map:
// for positions x = [r_1 … r_N] (length Bodies·Dims) it gives, per body i,
//
//	r_i, and for each j ≠ i:  Δ_ij, Δ_ij/|Δ_ij|, Δ_ij/|Δ_ij|², Δ_ij/|Δ_ij|³,  Δ_ij = r_i − r_j,
//
// in the order documented on nbody.Gravity.Augment, which computes them (and
// AugmentJVP, AugmentVJP their derivatives). A linear layer on these features
// can express Newton's acceleration exactly (it is −K1·Σ_j m_j Δ_ij/|Δ_ij|³), so
// the features carry the partial knowledge "forces depend on the pairwise
// geometry" without the law itself.
//
// NBodyFeatures holds no workspace and is safe for concurrent use; coincident
// bodies give ±Inf or NaN, as in nbody.
type NBodyFeatures struct {
	Bodies int `json:"bodies"` // number of bodies N (at least 2)
	Dims   int `json:"dims"`   // dimension of space d (at least 1)
}

var _ SavableFeatures = NBodyFeatures{}

// NewNBodyFeatures returns the Eq. 33 features for g's bodies and dimensions.
func NewNBodyFeatures(g nbody.Gravity) NBodyFeatures {
	return NBodyFeatures{Bodies: g.Bodies, Dims: g.Dims}
}

func (f NBodyFeatures) gravity() nbody.Gravity {
	return nbody.Gravity{Bodies: f.Bodies, Dims: f.Dims}
}

// Validate reports a feature map with fewer than two bodies or no dimension.
func (f NBodyFeatures) Validate() error {
	if f.Bodies < 2 || f.Dims < 1 {
		return fmt.Errorf("%w: nbody-aug features need bodies ≥ 2 and dims ≥ 1 (got %d, %d)", ErrConfig, f.Bodies, f.Dims)
	}
	return nil
}

// Kind returns "nbody-aug".
func (NBodyFeatures) Kind() string { return KindNBodyAug }

// Dim returns nbody.AugmentedDim(Bodies, Dims) = N·d·(4N − 3).
func (f NBodyFeatures) Dim() int { return nbody.AugmentedDim(f.Bodies, f.Dims) }

// InputDim returns Bodies·Dims, the length of x.
func (f NBodyFeatures) InputDim() int { return f.Bodies * f.Dims }

// Map writes the features of positions x into dst.
func (f NBodyFeatures) Map(dst, x []float64) { f.gravity().Augment(dst, x[:f.InputDim()]) }

// JVP writes ∂φ/∂x·v into dst.
func (f NBodyFeatures) JVP(dst, x, v []float64) {
	n := f.InputDim()
	f.gravity().AugmentJVP(dst, x[:n], v[:n])
}

// VJP adds uᵀ·∂φ/∂x into dx.
func (f NBodyFeatures) VJP(dx, x, u []float64) {
	n := f.InputDim()
	f.gravity().AugmentVJP(dx[:n], x[:n], u)
}

// DecodeFeatures is the FeatureDecoder for the feature maps of this package
// other than the identity (which Load decodes itself): "nbody-aug". Pass it to
// Load to read a NODE trained by the three-body comparison
// (internal/experiments/threebody).
func DecodeFeatures(kind string, config json.RawMessage) (Features, error) {
	switch kind {
	case KindNBodyAug:
		var f NBodyFeatures
		if err := json.Unmarshal(config, &f); err != nil {
			return nil, err
		}
		if err := f.Validate(); err != nil {
			return nil, err
		}
		return f, nil
	}
	return nil, fmt.Errorf("unknown feature kind %q (allowed: identity, %s)", kind, KindNBodyAug)
}

// NewThreeBodyNODE returns the NODE of the paper's Eq. 34 for an N-body
// system (the node model of the three-body comparison): the second-order
// NeuralField r̈ = MLP(Aug(r)) with the Eq. 33 features, velocities in the
// state in g's units (dr/dt = K2·v), so that it starts from the same initial
// state as g.
func NewThreeBodyNODE(g nbody.Gravity, hidden []int, act Activation) (*NeuralField, error) {
	return NewNeuralField(FieldConfig{StateDim: g.Dim(), Order: 2, Features: NewNBodyFeatures(g),
		Hidden: hidden, Activation: act, VelocityScale: g.VelocityScale})
}
