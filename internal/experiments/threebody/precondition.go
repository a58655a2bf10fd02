package threebody

import (
	"math"
	"slices"

	"github.com/physid/physid/learned"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// preconditioner maps the first layer between raw and preconditioned
// coordinates. With the features' mean μ and a fixed matrix A (A = diag(1/σ)
// for standardisation, A = Σ^(−1/2) for whitening), the layer is
// W'·A·(φ − μ) + b', so raw W = W'·A and b = b' − W'·A·μ.
type preconditioner struct {
	first learned.Dense
	mu    []float64
	a     *mat.Dense // nf×nf, symmetric
	am    []float64  // A·μ
	tmp   []float64
}

func newPreconditioner(f *learned.NeuralField, positions []float64, whiten bool) *preconditioner {
	feat, nx := f.Features()
	nf := feat.Dim()
	pc := &preconditioner{first: f.Net().Layer(0), mu: make([]float64, nf), am: make([]float64, nf), tmp: make([]float64, nf)}
	K := len(positions) / nx
	phi := mat.NewDense(K, nf, nil)
	for k := range K {
		feat.Map(phi.RawRowView(k), positions[k*nx:(k+1)*nx])
	}
	for i := range nf {
		pc.mu[i] = stat.Mean(mat.Col(nil, i, phi), nil)
	}
	var cov mat.SymDense
	stat.CovarianceMatrix(&cov, phi, nil)
	pc.a = mat.NewDense(nf, nf, nil)
	if !whiten {
		for i := range nf {
			pc.a.Set(i, i, 1/math.Sqrt(math.Max(cov.At(i, i), 1e-12)))
		}
	} else {
		var eig mat.EigenSym
		if !eig.Factorize(&cov, true) {
			return newPreconditioner(f, positions, false)
		}
		vals := eig.Values(nil)
		var vecs mat.Dense
		eig.VectorsTo(&vecs)
		// Directions with variance below 1e-10 of the largest are not
		// amplified beyond that: the features along one trajectory are
		// nearly collinear.
		floor := 1e-10 * slices.Max(vals)
		d := make([]float64, nf)
		for i, v := range vals {
			d[i] = 1 / math.Sqrt(math.Max(v, floor))
		}
		var vd mat.Dense
		vd.Apply(func(_, j int, v float64) float64 { return v * d[j] }, &vecs)
		pc.a.Mul(&vd, vecs.T())
	}
	mat.NewVecDense(nf, pc.am).MulVec(pc.a, mat.NewVecDense(nf, pc.mu))
	return pc
}

// toRaw writes the raw θ for preconditioned θ' (other layers are copied).
func (pc *preconditioner) toRaw(raw, pre []float64) {
	copy(raw, pre)
	d := pc.first
	w, b := d.Weights(raw), d.Bias(raw)
	wp := d.Weights(pre)
	for o := range d.Out {
		row := w[o*d.In : (o+1)*d.In]
		src := mat.NewVecDense(d.In, slices.Clone(wp[o*d.In:(o+1)*d.In]))
		mat.NewVecDense(d.In, row).MulVec(pc.a, src) // A symmetric: (W'A)ᵀ = A·W'ᵀ
		b[o] -= floats.Dot(wp[o*d.In:(o+1)*d.In], pc.am)
	}
}

// gradToPre turns dL/dθ_raw into dL/dθ' in place: dW' = (dW − db·μᵀ)·A.
func (pc *preconditioner) gradToPre(g []float64) {
	d := pc.first
	w, b := d.Weights(g), d.Bias(g)
	for o := range d.Out {
		row := w[o*d.In : (o+1)*d.In]
		for i := range row {
			pc.tmp[i] = row[i] - b[o]*pc.mu[i]
		}
		mat.NewVecDense(d.In, row).MulVec(pc.a, mat.NewVecDense(d.In, pc.tmp))
	}
}
