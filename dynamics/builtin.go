package dynamics

import "strconv"

// Exponential is dz/dt = k·z with state [z] and θ = [k]: the paper's toy problem
// (Eq. 27), whose gradients are known in closed form.
type Exponential struct{}

var (
	_ Dynamics = Exponential{}
	_ Named    = Exponential{}
)

// Dim returns 1.
func (Exponential) Dim() int { return 1 }

// NumParams returns 1.
func (Exponential) NumParams() int { return 1 }

// StateNames returns [z].
func (Exponential) StateNames() []string { return []string{"z"} }

// ParamNames returns [k].
func (Exponential) ParamNames() []string { return []string{"k"} }

// Func writes k·z.
func (Exponential) Func(dst []float64, _ float64, z, theta []float64) {
	dst[0] = theta[0] * z[0]
}

// JVP writes k·vz + z·vk.
func (Exponential) JVP(dst []float64, _ float64, z, theta, vz, vtheta []float64) {
	dst[0] = theta[0] * vz[0]
	if vtheta != nil {
		dst[0] += z[0] * vtheta[0]
	}
}

// VJP adds u·k to dz and u·z to dtheta.
func (Exponential) VJP(dz, dtheta []float64, _ float64, z, theta, u []float64) {
	dz[0] += u[0] * theta[0]
	if dtheta != nil {
		dtheta[0] += u[0] * z[0]
	}
}

// VanDerPol is x” = μ(1−x²)x' − x as a first-order system: state [x v], θ = [mu].
type VanDerPol struct{}

var (
	_ Dynamics = VanDerPol{}
	_ Named    = VanDerPol{}
)

// Dim returns 2.
func (VanDerPol) Dim() int { return 2 }

// NumParams returns 1.
func (VanDerPol) NumParams() int { return 1 }

// StateNames returns [x v].
func (VanDerPol) StateNames() []string { return []string{"x", "v"} }

// ParamNames returns [mu].
func (VanDerPol) ParamNames() []string { return []string{"mu"} }

// Func writes (v, μ(1−x²)v − x).
func (VanDerPol) Func(dst []float64, _ float64, z, theta []float64) {
	x, v, mu := z[0], z[1], theta[0]
	dst[0] = v
	dst[1] = mu*(1-x*x)*v - x
}

// JVP writes the directional derivative of f along (vz, vtheta).
func (VanDerPol) JVP(dst []float64, _ float64, z, theta, vz, vtheta []float64) {
	x, v, mu := z[0], z[1], theta[0]
	dst[0] = vz[1]
	dst[1] = (-2*mu*x*v-1)*vz[0] + mu*(1-x*x)*vz[1]
	if vtheta != nil {
		dst[1] += (1 - x*x) * v * vtheta[0]
	}
}

// VJP adds uᵀ∂f/∂z to dz and uᵀ∂f/∂θ to dtheta.
func (VanDerPol) VJP(dz, dtheta []float64, _ float64, z, theta, u []float64) {
	x, v, mu := z[0], z[1], theta[0]
	dz[0] += u[1] * (-2*mu*x*v - 1)
	dz[1] += u[0] + u[1]*mu*(1-x*x)
	if dtheta != nil {
		dtheta[0] += u[1] * (1 - x*x) * v
	}
}

// LotkaVolterra is the predator–prey system
//
//	prey' = α·prey − β·prey·predator,  predator' = δ·prey·predator − γ·predator
//
// with state [prey predator] and θ = [alpha beta delta gamma].
type LotkaVolterra struct{}

var (
	_ Dynamics = LotkaVolterra{}
	_ Named    = LotkaVolterra{}
)

// Dim returns 2.
func (LotkaVolterra) Dim() int { return 2 }

// NumParams returns 4.
func (LotkaVolterra) NumParams() int { return 4 }

// StateNames returns [prey predator].
func (LotkaVolterra) StateNames() []string { return []string{"prey", "predator"} }

// ParamNames returns [alpha beta delta gamma].
func (LotkaVolterra) ParamNames() []string { return []string{"alpha", "beta", "delta", "gamma"} }

// Func writes the predator–prey right-hand side.
func (LotkaVolterra) Func(dst []float64, _ float64, z, theta []float64) {
	x, y := z[0], z[1]
	a, b, d, g := theta[0], theta[1], theta[2], theta[3]
	dst[0] = a*x - b*x*y
	dst[1] = d*x*y - g*y
}

// JVP writes the directional derivative of f along (vz, vtheta).
func (LotkaVolterra) JVP(dst []float64, _ float64, z, theta, vz, vtheta []float64) {
	x, y := z[0], z[1]
	a, b, d, g := theta[0], theta[1], theta[2], theta[3]
	dst[0] = (a-b*y)*vz[0] - b*x*vz[1]
	dst[1] = d*y*vz[0] + (d*x-g)*vz[1]
	if vtheta != nil {
		dst[0] += x*vtheta[0] - x*y*vtheta[1]
		dst[1] += x*y*vtheta[2] - y*vtheta[3]
	}
}

// VJP adds uᵀ∂f/∂z to dz and uᵀ∂f/∂θ to dtheta.
func (LotkaVolterra) VJP(dz, dtheta []float64, _ float64, z, theta, u []float64) {
	x, y := z[0], z[1]
	a, b, d, g := theta[0], theta[1], theta[2], theta[3]
	dz[0] += u[0]*(a-b*y) + u[1]*d*y
	dz[1] += -u[0]*b*x + u[1]*(d*x-g)
	if dtheta != nil {
		dtheta[0] += u[0] * x
		dtheta[1] -= u[0] * x * y
		dtheta[2] += u[1] * x * y
		dtheta[3] -= u[1] * y
	}
}

// Linear is dz/dt = A·z for an N×N matrix A stored row-major as θ (N² parameters).
// States are named z1..zN and parameters a11, a12, …, aNN.
type Linear struct {
	// N is the state dimension.
	N int
}

var (
	_ Dynamics = Linear{}
	_ Named    = Linear{}
)

// Dim returns N.
func (l Linear) Dim() int { return l.N }

// NumParams returns N².
func (l Linear) NumParams() int { return l.N * l.N }

// StateNames returns z1..zN.
func (l Linear) StateNames() []string {
	names := make([]string, l.N)
	for i := range names {
		names[i] = "z" + strconv.Itoa(i+1)
	}
	return names
}

// ParamNames returns a11, a12, …, aNN (row, then column, 1-based). For N ≥ 10 the
// indices are separated by an underscore (a10_3) to stay unambiguous.
func (l Linear) ParamNames() []string {
	names := make([]string, 0, l.N*l.N)
	for i := 1; i <= l.N; i++ {
		for j := 1; j <= l.N; j++ {
			if l.N < 10 {
				names = append(names, "a"+strconv.Itoa(i)+strconv.Itoa(j))
			} else {
				names = append(names, "a"+strconv.Itoa(i)+"_"+strconv.Itoa(j))
			}
		}
	}
	return names
}

// Func writes A·z.
func (l Linear) Func(dst []float64, _ float64, z, theta []float64) {
	n := l.N
	for i := 0; i < n; i++ {
		row := theta[i*n : i*n+n]
		s := 0.0
		for j, a := range row {
			s += a * z[j]
		}
		dst[i] = s
	}
}

// JVP writes A·vz + dA·z where dA is vtheta read as a matrix.
func (l Linear) JVP(dst []float64, _ float64, z, theta, vz, vtheta []float64) {
	n := l.N
	for i := 0; i < n; i++ {
		row := theta[i*n : i*n+n]
		s := 0.0
		for j, a := range row {
			s += a * vz[j]
		}
		if vtheta != nil {
			for j, da := range vtheta[i*n : i*n+n] {
				s += da * z[j]
			}
		}
		dst[i] = s
	}
}

// VJP adds Aᵀu to dz and u·zᵀ (row-major) to dtheta.
func (l Linear) VJP(dz, dtheta []float64, _ float64, z, theta, u []float64) {
	n := l.N
	for i := 0; i < n; i++ {
		ui := u[i]
		if ui == 0 {
			continue
		}
		row := theta[i*n : i*n+n]
		for j, a := range row {
			dz[j] += ui * a
		}
		if dtheta != nil {
			drow := dtheta[i*n : i*n+n]
			for j := range drow {
				drow[j] += ui * z[j]
			}
		}
	}
}
