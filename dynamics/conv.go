package dynamics

import "strconv"

// Conv2D is dz/dt = K ⋆ z: the state is an H×W image (row-major) and f is its
// 2-D cross-correlation with a 3×3 kernel K, θ = K row-major (9 parameters),
// with zeros outside the image ("same" padding). It is the paper's Fig. 5
// example of a linear ODE whose reverse-time solve is unstable: the
// frequencies the kernel damps forward in time grow backward.
type Conv2D struct {
	// H and W are the image height and width.
	H, W int
}

var (
	_ Dynamics = Conv2D{}
	_ Named    = Conv2D{}
)

// Dim returns H·W.
func (c Conv2D) Dim() int { return c.H * c.W }

// NumParams returns 9.
func (c Conv2D) NumParams() int { return 9 }

// StateNames returns p<row>_<col> (1-based) for every pixel.
func (c Conv2D) StateNames() []string {
	names := make([]string, 0, c.H*c.W)
	for i := 1; i <= c.H; i++ {
		for j := 1; j <= c.W; j++ {
			names = append(names, "p"+strconv.Itoa(i)+"_"+strconv.Itoa(j))
		}
	}
	return names
}

// ParamNames returns k11 … k33, the kernel row by row.
func (c Conv2D) ParamNames() []string {
	return []string{"k11", "k12", "k13", "k21", "k22", "k23", "k31", "k32", "k33"}
}

// correlate writes (or adds, when add is set) k ⋆ x into dst.
func (c Conv2D) correlate(dst, x, k []float64, add bool) {
	for i := range c.H {
		for j := range c.W {
			s := 0.0
			for a := -1; a <= 1; a++ {
				ii := i + a
				if ii < 0 || ii >= c.H {
					continue
				}
				row := x[ii*c.W:]
				for b := -1; b <= 1; b++ {
					jj := j + b
					if jj < 0 || jj >= c.W {
						continue
					}
					s += k[(a+1)*3+b+1] * row[jj]
				}
			}
			if add {
				dst[i*c.W+j] += s
			} else {
				dst[i*c.W+j] = s
			}
		}
	}
}

// Func writes θ ⋆ z into dst.
func (c Conv2D) Func(dst []float64, t float64, z, theta []float64) {
	c.correlate(dst, z, theta, false)
}

// JVP writes θ ⋆ vz + vθ ⋆ z into dst (the map is bilinear in z and θ).
func (c Conv2D) JVP(dst []float64, t float64, z, theta, vz, vtheta []float64) {
	c.correlate(dst, vz, theta, false)
	if vtheta != nil {
		c.correlate(dst, z, vtheta, true)
	}
}

// VJP adds the transposed correlation of u (a correlation with the kernel
// rotated by 180°) into dz and, into dθ[a,b], Σ u[i,j]·z[i+a−1, j+b−1].
func (c Conv2D) VJP(dz, dtheta []float64, t float64, z, theta, u []float64) {
	var flipped [9]float64
	for q := range 9 {
		flipped[q] = theta[8-q]
	}
	c.correlate(dz, u, flipped[:], true)
	if dtheta == nil {
		return
	}
	for a := -1; a <= 1; a++ {
		for b := -1; b <= 1; b++ {
			s := 0.0
			for i := max(0, -a); i < min(c.H, c.H-a); i++ {
				ur, zr := u[i*c.W:(i+1)*c.W], z[(i+a)*c.W:(i+a+1)*c.W]
				for j := max(0, -b); j < min(c.W, c.W-b); j++ {
					s += ur[j] * zr[j+b]
				}
			}
			dtheta[(a+1)*3+b+1] += s
		}
	}
}
