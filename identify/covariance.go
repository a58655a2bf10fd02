package identify

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Covariance kinds (Options.Covariance, EstimateCovariance).
const (
	Classic  = "classic"
	Sandwich = "sandwich"
)

// rankTol is the relative size below which a singular value of the
// column-scaled Jacobian counts as zero. Forward sensitivities of an exactly
// non-identifiable combination (the model depends on a·b only, say) come out
// proportional to rounding, ~1e-14; 1e-8 leaves room for solver noise and
// still flags only combinations the data cannot tell apart.
const rankTol = 1e-8

// Covariance is the estimated covariance of the fitted parameters, over those
// it can speak for: free, not at a bound and identifiable.
type Covariance struct {
	// Kind is Classic or Sandwich.
	Kind string `json:"kind"`
	// Parameters names the rows and columns of Matrix and Correlation;
	// Index gives their positions in Problem.Params.
	Parameters []string `json:"parameters"`
	Index      []int    `json:"-"`
	// Matrix is the covariance and Correlation its correlation matrix.
	Matrix      [][]float64 `json:"matrix"`
	Correlation [][]float64 `json:"correlation"`
	// StdErr has one entry per problem parameter: √Matrix_ii, or NaN where
	// Notes says why there is none.
	StdErr []float64 `json:"-"`
	Notes  []string  `json:"-"`
	// Rank is the numerical rank of the Jacobian of the free parameters not
	// at a bound; Observations counts the residuals.
	Rank         int `json:"rank"`
	Observations int `json:"observations"`
	// Sigma2 is the residual variance s² = rᵀr/(N − rank) of the weighted
	// residuals.
	Sigma2 float64 `json:"sigma2"`
}

// StandardErrors returns the classic standard errors of the free parameters at
// θ (NaN for fixed ones, those at a bound and non-identifiable ones); see
// EstimateCovariance.
func StandardErrors(p *Problem, theta []float64) ([]float64, error) {
	c, err := EstimateCovariance(p, theta, Classic, nil)
	if err != nil {
		return nil, err
	}
	return c.StdErr, nil
}

// EstimateCovariance returns the covariance of the least-squares estimate at
// θ. With r the weighted residuals (r_kc = √(w_k/K)·e_kc, Σr² = L), J = ∂r/∂θ
// over the parameters it covers, N residuals and p parameters:
//
//	classic:  Cov = s²·(JᵀJ)⁻¹,  s² = rᵀr/(N − p)
//
// that is s²(JᵀWJ)⁻¹ in the unweighted residuals e: right when the noise is
// independent with variance ∝ 1/w_k (equal weights: one variance);
//
// For a likelihood problem (Problem.Experiments) the residuals are
// ρ = r/√2 with r = (y − h)/σ, whose σ are known (or estimated as
// parameters): classic is then the inverse Fisher information (2JᵀJ)⁻¹,
// s² = ½ fixed.
//
//	sandwich: Cov = N/(N − p)·(JᵀJ)⁻¹ (Σ_i r_i² J_iᵀJ_i) (JᵀJ)⁻¹
//
// the heteroskedasticity-consistent estimator (White 1980, HC1): right for
// independent noise of any variances, so also when the weights are not inverse
// variances. Both are invariant to the scale of the weights.
//
// No inverse is formed: J·D⁻¹ = UΣVᵀ (thin SVD, D the column norms) gives
// (JᵀJ)⁻¹ = D⁻¹VΣ⁻²VᵀD⁻¹ and (JᵀJ)⁻¹Jᵀ = D⁻¹VΣ⁻¹Uᵀ. Singular values below
// rankTol·σ_max span the null space of JᵀJ: a parameter with a large
// component in it (> 0.1 of a unit vector) is not identifiable, and the note
// names the others it is confounded with; the covariance of the rest is the
// pseudo-inverse's.
//
// Parameters are left out with a note when fixed or at a bound (atBound, one
// label per parameter as in StartResult.AtBound; nil: decided from θ). It
// fails when there are no more residuals than parameters or the solve fails.
func EstimateCovariance(p *Problem, theta []float64, kind string, atBoundOf []string) (*Covariance, error) {
	if kind == "" {
		kind = Classic
	}
	if kind != Classic && kind != Sandwich {
		return nil, fmt.Errorf("identify: unknown covariance %q (allowed: classic, sandwich)", kind)
	}
	ob, err := newObjective(p)
	if err != nil {
		return nil, err
	}
	x := ob.freeOf(theta)
	r, jac, err := ob.residuals(x)
	if err != nil {
		return nil, err
	}
	nf := len(ob.free)
	c := &Covariance{Kind: kind, StdErr: make([]float64, len(p.Params)), Notes: make([]string, len(p.Params)), Observations: len(r)}
	for i := range c.StdErr {
		c.StdErr[i] = math.NaN()
	}
	cols := c.coveredColumns(p, ob, theta, atBoundOf)
	N, np := len(r), len(cols)
	if np == 0 {
		return c, nil
	}
	if N <= np {
		for _, j := range cols {
			c.Notes[ob.free[j]] = fmt.Sprintf("%d observations for %d parameters", N, np)
		}
		return nil, fmt.Errorf("identify: no covariance: %d observations for %d free parameters", N, np)
	}
	Js, d := scaledJacobian(jac, nf, N, cols)
	var svd mat.SVD
	if !svd.Factorize(Js, mat.SVDThin) {
		return nil, errors.New("identify: covariance: the SVD of the Jacobian failed")
	}
	sv := svd.Values(nil)
	var U, V mat.Dense
	svd.UTo(&U)
	svd.VTo(&V)
	rank := 0
	for _, s := range sv {
		if s > rankTol*sv[0] {
			rank++
		}
	}
	c.Rank = rank
	involved, partners := nullSpace(&V, d, rank)
	c.noteConfounded(p, ob, cols, involved, partners)
	X := pseudoInverseT(&U, &V, sv, d, rank)
	full := c.estimate(p, r, X)
	c.fill(p, ob, cols, involved, full)
	return c, nil
}

// coveredColumns notes the free parameters at a bound and the fixed ones, and
// returns the positions in ob.free of those the covariance covers.
func (c *Covariance) coveredColumns(p *Problem, ob *objective, theta []float64, atBoundOf []string) []int {
	var cols []int // positions in free of the parameters covered
	for j, i := range ob.free {
		q := p.Params[i]
		at := ""
		if atBoundOf != nil {
			at = atBoundOf[i]
		} else {
			at = atBound(q, theta[i])
		}
		switch at {
		case AtMin:
			c.Notes[i] = "at its lower bound"
		case AtMax:
			c.Notes[i] = "at its upper bound"
		default:
			cols = append(cols, j)
		}
	}
	for i, q := range p.Params {
		if q.Fixed {
			c.Notes[i] = "fixed"
		}
	}
	return cols
}

// scaledJacobian returns J·D⁻¹ over the columns cols of the row-major N×nf
// Jacobian jac, and D, the column norms; a column of zeros stays zero.
func scaledJacobian(jac []float64, nf, N int, cols []int) (*mat.Dense, []float64) {
	np := len(cols)
	Js := mat.NewDense(N, np, nil)
	d := make([]float64, np)
	for a, j := range cols {
		s := 0.0
		for row := range N {
			s += jac[row*nf+j] * jac[row*nf+j]
		}
		d[a] = math.Sqrt(s)
		if d[a] == 0 {
			continue
		}
		for row := range N {
			Js.Set(row, a, jac[row*nf+j]/d[a])
		}
	}
	return Js, d
}

// nullSpace returns which covered parameters have a large component in the
// null space of JᵀJ (the right singular vectors past rank) and, for each,
// the others it shares a null vector with.
func nullSpace(V *mat.Dense, d []float64, rank int) (involved []bool, partners [][]int) {
	np := len(d)
	involved = make([]bool, np)
	partners = make([][]int, np)
	for k := rank; k < np; k++ {
		var in []int
		for a := range np {
			if math.Abs(V.At(a, k)) > 0.1 || d[a] == 0 {
				in = append(in, a)
			}
		}
		for _, a := range in {
			involved[a] = true
			for _, b := range in {
				if b != a && !slices.Contains(partners[a], b) {
					partners[a] = append(partners[a], b)
				}
			}
		}
	}
	return involved, partners
}

// noteConfounded notes each non-identifiable parameter and the others it is
// confounded with.
func (c *Covariance) noteConfounded(p *Problem, ob *objective, cols []int, involved []bool, partners [][]int) {
	np := len(cols)
	for a, j := range cols {
		if !involved[a] {
			continue
		}
		i := ob.free[j]
		if len(partners[a]) == 0 {
			c.Notes[i] = "not identifiable: the observations do not depend on it"
			continue
		}
		names := make([]string, len(partners[a]))
		for b, o := range partners[a] {
			names[b] = p.Params[ob.free[cols[o]]].Name
		}
		c.Notes[i] = fmt.Sprintf("not identifiable: only a combination with %s is determined (Jacobian rank %d of %d)", strings.Join(names, ", "), c.Rank, np)
	}
}

// pseudoInverseT returns X = (JᵀJ)⁺Jᵀ = D⁻¹ V_r Σ_r⁻¹ U_rᵀ, np×N, from the
// thin SVD J·D⁻¹ = UΣVᵀ truncated at rank.
func pseudoInverseT(U, V *mat.Dense, sv, d []float64, rank int) *mat.Dense {
	np := len(d)
	N, _ := U.Dims()
	X := mat.NewDense(np, N, nil)
	for a := range np {
		if d[a] == 0 {
			continue
		}
		for row := range N {
			s := 0.0
			for k := range rank {
				s += V.At(a, k) / sv[k] * U.At(row, k)
			}
			X.Set(a, row, s/d[a])
		}
	}
	return X
}

// estimate sets c.Sigma2 and returns the np×np covariance of c.Kind over the
// covered parameters, from the residuals r and X = (JᵀJ)⁺Jᵀ.
func (c *Covariance) estimate(p *Problem, r []float64, X *mat.Dense) *mat.Dense {
	np, N := X.Dims()
	full := mat.NewDense(np, np, nil)
	dof := float64(N - c.Rank)
	switch c.Kind {
	case Classic:
		// (JᵀJ)⁺ = D⁻¹ V_r Σ_r⁻² V_rᵀ D⁻¹ = XXᵀ.
		c.Sigma2 = sumSq(r) / dof
		if p.Likelihood() && !p.UnknownScale {
			// The noise levels are in the residuals ρ = r/√2: the inverse
			// Fisher information is (2JᵀJ)⁻¹ (σ known), not s²-scaled.
			c.Sigma2 = 0.5
		}
		full.Mul(X, X.T())
		full.Scale(c.Sigma2, full)
	case Sandwich:
		c.Sigma2 = sumSq(r) / dof
		XR := mat.NewDense(np, N, nil)
		for a := range np {
			for row := range N {
				XR.Set(a, row, X.At(a, row)*r[row]*r[row])
			}
		}
		full.Mul(XR, X.T())
		full.Scale(float64(N)/dof, full)
	}
	return full
}

// fill copies the covariance of the identifiable covered parameters out of
// full into c: names, indices, standard errors, matrix and correlation.
func (c *Covariance) fill(p *Problem, ob *objective, cols []int, involved []bool, full *mat.Dense) {
	var keep []int
	for a := range len(cols) {
		if !involved[a] {
			keep = append(keep, a)
		}
	}
	n := len(keep)
	c.Matrix, c.Correlation = make([][]float64, n), make([][]float64, n)
	for u, a := range keep {
		i := ob.free[cols[a]]
		c.Parameters = append(c.Parameters, p.Params[i].Name)
		c.Index = append(c.Index, i)
		c.StdErr[i] = math.Sqrt(full.At(a, a))
		c.Matrix[u], c.Correlation[u] = make([]float64, n), make([]float64, n)
		for v, b := range keep {
			c.Matrix[u][v] = full.At(a, b)
			if den := math.Sqrt(full.At(a, a) * full.At(b, b)); den > 0 {
				c.Correlation[u][v] = full.At(a, b) / den
			} else if u == v {
				c.Correlation[u][v] = 1 // a zero variance (a zero-residual fit)
			}
		}
	}
}
