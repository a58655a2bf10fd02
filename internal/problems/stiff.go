package problems

import (
	"math"

	"github.com/physid/physid/dynamics"
	"gonum.org/v1/gonum/mat"
)

// Robertson is Robertson's chemical kinetics (Robertson 1966; Hairer & Wanner,
// Solving ODEs II, Sec. IV.1), the classic stiff test problem:
//
//	y1' = −k1 y1 + k3 y2 y3
//	y2' =  k1 y1 − k3 y2 y3 − k2 y2²
//	y3' =  k2 y2²
//
// with θ = [k1, k2, k3], nominally [0.04, 3e7, 1e4] (RobertsonTheta), and
// y(0) = (1, 0, 0). It has an analytic Jacobian.
type Robertson struct{}

var (
	_ dynamics.Dynamics = Robertson{}
	_ dynamics.Jacobian = Robertson{}
)

// RobertsonTheta are the nominal rate constants k1, k2, k3.
var RobertsonTheta = []float64{0.04, 3e7, 1e4}

// RobertsonRef1e11 is y(1e11) from the Test Set for IVP Solvers (Mazzia &
// Magherini, Univ. Bari, problem ROBER), computed there with RADAU5 at
// tolerances 1e-18 in extended precision.
var RobertsonRef1e11 = []float64{0.2083340149701255e-7, 0.8333360770334713e-13, 0.9999999791665050}

// Dim returns 3.
func (Robertson) Dim() int { return 3 }

// NumParams returns 3.
func (Robertson) NumParams() int { return 3 }

// StateNames returns [y1 y2 y3].
func (Robertson) StateNames() []string { return []string{"y1", "y2", "y3"} }

// ParamNames returns [k1 k2 k3].
func (Robertson) ParamNames() []string { return []string{"k1", "k2", "k3"} }

// Func writes the reaction rates.
func (Robertson) Func(dst []float64, _ float64, z, theta []float64) {
	y1, y2, y3 := z[0], z[1], z[2]
	a, b, c := theta[0]*y1, theta[2]*y2*y3, theta[1]*y2*y2
	dst[0] = -a + b
	dst[1] = a - b - c
	dst[2] = c
}

// JVP writes ∂f/∂z·vz + ∂f/∂θ·vθ.
func (Robertson) JVP(dst []float64, _ float64, z, theta, vz, vtheta []float64) {
	y1, y2, y3 := z[0], z[1], z[2]
	k1, k2, k3 := theta[0], theta[1], theta[2]
	da := k1 * vz[0]
	db := k3 * (vz[1]*y3 + y2*vz[2])
	dc := 2 * k2 * y2 * vz[1]
	if vtheta != nil {
		da += vtheta[0] * y1
		db += vtheta[2] * y2 * y3
		dc += vtheta[1] * y2 * y2
	}
	dst[0] = -da + db
	dst[1] = da - db - dc
	dst[2] = dc
}

// VJP adds uᵀ∂f/∂z to dz and uᵀ∂f/∂θ to dtheta.
func (Robertson) VJP(dz, dtheta []float64, _ float64, z, theta, u []float64) {
	y1, y2, y3 := z[0], z[1], z[2]
	k1, k2, k3 := theta[0], theta[1], theta[2]
	ua := u[1] - u[0] // coefficient of a = k1 y1
	ub := u[0] - u[1] // of b = k3 y2 y3
	uc := u[2] - u[1] // of c = k2 y2²
	dz[0] += ua * k1
	dz[1] += ub*k3*y3 + uc*2*k2*y2
	dz[2] += ub * k3 * y2
	if dtheta != nil {
		dtheta[0] += ua * y1
		dtheta[1] += uc * y2 * y2
		dtheta[2] += ub * y2 * y3
	}
}

// Jac writes ∂f/∂z.
func (Robertson) Jac(dst *mat.Dense, _ float64, z, theta []float64) {
	y2, y3 := z[1], z[2]
	k1, k2, k3 := theta[0], theta[1], theta[2]
	dst.Set(0, 0, -k1)
	dst.Set(0, 1, k3*y3)
	dst.Set(0, 2, k3*y2)
	dst.Set(1, 0, k1)
	dst.Set(1, 1, -k3*y3-2*k2*y2)
	dst.Set(1, 2, -k3*y2)
	dst.Set(2, 0, 0)
	dst.Set(2, 1, 2*k2*y2)
	dst.Set(2, 2, 0)
}

// ProtheroRobinson is y' = λ(y − sin t) + cos t with θ = [λ] (Prothero &
// Robinson, Math. Comp. 28 (1974) 145–162): for y(0) = 0 the solution is
// sin t for every λ, and λ ≪ 0 makes it stiff. It exposes the order
// reduction of implicit methods whose stages are of low order.
type ProtheroRobinson struct{}

var _ dynamics.Dynamics = ProtheroRobinson{}

// Dim returns 1.
func (ProtheroRobinson) Dim() int { return 1 }

// NumParams returns 1.
func (ProtheroRobinson) NumParams() int { return 1 }

// Func writes λ(y − sin t) + cos t.
func (ProtheroRobinson) Func(dst []float64, t float64, z, theta []float64) {
	dst[0] = theta[0]*(z[0]-math.Sin(t)) + math.Cos(t)
}

// JVP writes λ·vz + (y − sin t)·vλ.
func (ProtheroRobinson) JVP(dst []float64, t float64, z, theta, vz, vtheta []float64) {
	dst[0] = theta[0] * vz[0]
	if vtheta != nil {
		dst[0] += (z[0] - math.Sin(t)) * vtheta[0]
	}
}

// VJP adds u·λ to dz and u·(y − sin t) to dtheta.
func (ProtheroRobinson) VJP(dz, dtheta []float64, t float64, z, theta, u []float64) {
	dz[0] += u[0] * theta[0]
	if dtheta != nil {
		dtheta[0] += u[0] * (z[0] - math.Sin(t))
	}
}

// HIRES is the "High Irradiance RESponse" of photomorphogenesis (Schäfer 1975;
// Hairer & Wanner, Solving ODEs II, Sec. IV.10), 8 states, no parameters, on
// [0, 321.8122] from HIRESZ0; HIRESRef is the Test Set's reference at the end.
type HIRES struct{}

var (
	_ dynamics.Dynamics = HIRES{}
	_ dynamics.Jacobian = HIRES{}
)

// HIRESEnd is the end time of the test problem.
const HIRESEnd = 321.8122

// HIRESZ0 is the initial state.
func HIRESZ0() []float64 { return []float64{1, 0, 0, 0, 0, 0, 0, 0.0057} }

// HIRESRef is y(321.8122) from the Test Set for IVP Solvers (Mazzia &
// Magherini, Univ. Bari, problem HIRES; RADAU5 at tolerances 1.1e-18).
var HIRESRef = []float64{
	0.7371312573325668e-3, 0.1442485726316185e-3, 0.5888729740967575e-4, 0.1175651343283149e-2,
	0.2386356198831331e-2, 0.6238968252742796e-2, 0.2849998395185769e-2, 0.2850001604814231e-2,
}

// Dim returns 8.
func (HIRES) Dim() int { return 8 }

// NumParams returns 0.
func (HIRES) NumParams() int { return 0 }

// Func writes the HIRES right-hand side.
func (HIRES) Func(dst []float64, _ float64, y, _ []float64) {
	dst[0] = -1.71*y[0] + 0.43*y[1] + 8.32*y[2] + 0.0007
	dst[1] = 1.71*y[0] - 8.75*y[1]
	dst[2] = -10.03*y[2] + 0.43*y[3] + 0.035*y[4]
	dst[3] = 8.32*y[1] + 1.71*y[2] - 1.12*y[3]
	dst[4] = -1.745*y[4] + 0.43*y[5] + 0.43*y[6]
	dst[5] = -280*y[5]*y[7] + 0.69*y[3] + 1.71*y[4] - 0.43*y[5] + 0.69*y[6]
	dst[6] = 280*y[5]*y[7] - 1.81*y[6]
	dst[7] = -280*y[5]*y[7] + 1.81*y[6]
}

// Jac writes ∂f/∂z.
func (HIRES) Jac(dst *mat.Dense, _ float64, y, _ []float64) {
	dst.Zero()
	dst.Set(0, 0, -1.71)
	dst.Set(0, 1, 0.43)
	dst.Set(0, 2, 8.32)
	dst.Set(1, 0, 1.71)
	dst.Set(1, 1, -8.75)
	dst.Set(2, 2, -10.03)
	dst.Set(2, 3, 0.43)
	dst.Set(2, 4, 0.035)
	dst.Set(3, 1, 8.32)
	dst.Set(3, 2, 1.71)
	dst.Set(3, 3, -1.12)
	dst.Set(4, 4, -1.745)
	dst.Set(4, 5, 0.43)
	dst.Set(4, 6, 0.43)
	dst.Set(5, 3, 0.69)
	dst.Set(5, 4, 1.71)
	dst.Set(5, 5, -280*y[7]-0.43)
	dst.Set(5, 6, 0.69)
	dst.Set(5, 7, -280*y[5])
	dst.Set(6, 5, 280*y[7])
	dst.Set(6, 6, -1.81)
	dst.Set(6, 7, 280*y[5])
	dst.Set(7, 5, -280*y[7])
	dst.Set(7, 6, 1.81)
	dst.Set(7, 7, -280*y[5])
}

// JVP writes J·vz (no parameters).
func (h HIRES) JVP(dst []float64, _ float64, y, _, vz, _ []float64) {
	v := vz
	dst[0] = -1.71*v[0] + 0.43*v[1] + 8.32*v[2]
	dst[1] = 1.71*v[0] - 8.75*v[1]
	dst[2] = -10.03*v[2] + 0.43*v[3] + 0.035*v[4]
	dst[3] = 8.32*v[1] + 1.71*v[2] - 1.12*v[3]
	dst[4] = -1.745*v[4] + 0.43*v[5] + 0.43*v[6]
	r := 280 * (v[5]*y[7] + y[5]*v[7])
	dst[5] = -r + 0.69*v[3] + 1.71*v[4] - 0.43*v[5] + 0.69*v[6]
	dst[6] = r - 1.81*v[6]
	dst[7] = -r + 1.81*v[6]
}

// VJP adds uᵀJ to dz (no parameters).
func (HIRES) VJP(dz, _ []float64, _ float64, y, _, u []float64) {
	dz[0] += -1.71*u[0] + 1.71*u[1]
	dz[1] += 0.43*u[0] - 8.75*u[1] + 8.32*u[3]
	dz[2] += 8.32*u[0] - 10.03*u[2] + 1.71*u[3]
	dz[3] += 0.43*u[2] - 1.12*u[3] + 0.69*u[5]
	dz[4] += 0.035*u[2] - 1.745*u[4] + 1.71*u[5]
	w := -u[5] + u[6] - u[7] // coefficient of r = 280 y6 y8
	dz[5] += 0.43*u[4] - 0.43*u[5] + 280*y[7]*w
	dz[6] += 0.43*u[4] + 0.69*u[5] - 1.81*u[6] + 1.81*u[7]
	dz[7] += 280 * y[5] * w
}

// RobertsonRef1e5 is y(1e5) at RobertsonTheta from y(0) = (1, 0, 0),
// computed with this module's Kvaerno5 at rtol 1e-12, atol 1e-20 (and
// checked against Kvaerno4 at the same tolerances and, at t = 1e11, against
// the Test Set's RADAU5 reference; see integrate's TestRobertson).
var RobertsonRef1e5 = []float64{1.7865921142121977e-02, 7.2747514684462107e-08, 9.8213400611028767e-01}
