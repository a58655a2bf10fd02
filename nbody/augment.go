package nbody

import "math"

// AugmentedDim returns the length of the augmented features of the paper's
// Eq. 33 for the given number of bodies and dimensions: per body, its position
// and four d-vectors for each other body, so N·d·(4N − 3).
func AugmentedDim(bodies, dims int) int { return bodies * dims * (4*bodies - 3) }

// Augment writes the augmented features of the paper's Eq. 33 for the positions
// [r_1 … r_N] (length Bodies·Dims, e.g. g.Positions(z)) into dst (length
// AugmentedDim(Bodies, Dims)). They give a learned model the pairwise geometry
// that Newton's law depends on. Body i owns the block
// dst[i·B : (i+1)·B], B = d·(4N − 3), laid out as
//
//	r_i,  then for each j ≠ i in increasing order:
//	Δ_ij, Δ_ij/|Δ_ij|, Δ_ij/|Δ_ij|², Δ_ij/|Δ_ij|³,   Δ_ij = r_i − r_j,
//
// each a d-vector. Coincident bodies give ±Inf or NaN; Gravity.CheckState
// guards against them. Augment allocates nothing.
func (g Gravity) Augment(dst, positions []float64) {
	n, d := g.Bodies, g.Dims
	checkLen("Augment", "dst", len(dst), AugmentedDim(n, d))
	checkLen("Augment", "positions", len(positions), n*d)
	blk := d * (4*n - 3)
	for i := 0; i < n; i++ {
		out := dst[i*blk : (i+1)*blk]
		ri := positions[i*d : i*d+d]
		copy(out, ri)
		off := d
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			rj := positions[j*d : j*d+d]
			s2 := 0.0
			for k, x := range ri {
				e := x - rj[k]
				s2 += e * e
			}
			inv1 := 1 / math.Sqrt(s2)
			inv2 := inv1 * inv1
			inv3 := inv2 * inv1
			o := out[off : off+4*d]
			for k, x := range ri {
				e := x - rj[k]
				o[k] = e
				o[d+k] = e * inv1
				o[2*d+k] = e * inv2
				o[3*d+k] = e * inv3
			}
			off += 4 * d
		}
	}
}

// AugmentJVP writes the directional derivative of Augment at positions along v
// (length Bodies·Dims) into dst. With δ = v_i − v_j, the feature Δ/s^p changes
// by δ/s^p − p·Δ(Δ·δ)/s^(p+2). It allocates nothing.
func (g Gravity) AugmentJVP(dst, positions, v []float64) {
	n, d := g.Bodies, g.Dims
	checkLen("AugmentJVP", "dst", len(dst), AugmentedDim(n, d))
	checkLen("AugmentJVP", "positions", len(positions), n*d)
	checkLen("AugmentJVP", "v", len(v), n*d)
	blk := d * (4*n - 3)
	for i := 0; i < n; i++ {
		out := dst[i*blk : (i+1)*blk]
		ri, vi := positions[i*d:i*d+d], v[i*d:i*d+d]
		copy(out, vi)
		off := d
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			rj, vj := positions[j*d:j*d+d], v[j*d:j*d+d]
			s2, dot := 0.0, 0.0
			for k, x := range ri {
				e := x - rj[k]
				s2 += e * e
				dot += e * (vi[k] - vj[k])
			}
			inv1 := 1 / math.Sqrt(s2)
			inv2 := inv1 * inv1
			inv3 := inv2 * inv1
			c := dot * inv2 // (Δ·δ)/s²
			o := out[off : off+4*d]
			for k, x := range ri {
				e, w := x-rj[k], vi[k]-vj[k]
				o[k] = w
				o[d+k] = (w - c*e) * inv1
				o[2*d+k] = (w - 2*c*e) * inv2
				o[3*d+k] = (w - 3*c*e) * inv3
			}
			off += 4 * d
		}
	}
}

// AugmentVJP adds uᵀ·∂Augment/∂positions at positions into dpos (length
// Bodies·Dims), for backpropagating through a learned model's input. u has
// length AugmentedDim(Bodies, Dims). It adds; it does not overwrite. It
// allocates nothing.
func (g Gravity) AugmentVJP(dpos, positions, u []float64) {
	n, d := g.Bodies, g.Dims
	checkLen("AugmentVJP", "dpos", len(dpos), n*d)
	checkLen("AugmentVJP", "positions", len(positions), n*d)
	checkLen("AugmentVJP", "u", len(u), AugmentedDim(n, d))
	blk := d * (4*n - 3)
	for i := 0; i < n; i++ {
		in := u[i*blk : (i+1)*blk]
		ri, gi := positions[i*d:i*d+d], dpos[i*d:i*d+d]
		for k, x := range in[:d] {
			gi[k] += x
		}
		off := d
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			rj, gj := positions[j*d:j*d+d], dpos[j*d:j*d+d]
			c := in[off : off+4*d]
			// The Jacobian of Δ/s^p is symmetric, so its transpose applied to
			// the cotangent c_p is c_p/s^p − p·Δ(Δ·c_p)/s^(p+2).
			s2, d1, d2, d3 := 0.0, 0.0, 0.0, 0.0
			for k, x := range ri {
				e := x - rj[k]
				s2 += e * e
				d1 += e * c[d+k]
				d2 += e * c[2*d+k]
				d3 += e * c[3*d+k]
			}
			inv1 := 1 / math.Sqrt(s2)
			inv2 := inv1 * inv1
			inv3 := inv2 * inv1
			d1, d2, d3 = d1*inv2, 2*d2*inv2, 3*d3*inv2
			for k, x := range ri {
				e := x - rj[k]
				w := c[k] +
					(c[d+k]-d1*e)*inv1 +
					(c[2*d+k]-d2*e)*inv2 +
					(c[3*d+k]-d3*e)*inv3
				gi[k] += w
				gj[k] -= w
			}
			off += 4 * d
		}
	}
}
