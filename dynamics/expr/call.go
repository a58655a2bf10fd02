package expr

import (
	"fmt"
	"math"
)

// Func, JVP and VJP run a model's small form (see smallSlots) with the
// interpreter written out in each of them: a call to a shared interpreter
// costs about as much as a whole evaluation of a small system. Models too
// large for the small form take the wide form (wide.go).

// Func writes f(t, z, θ) into dst. A domain error (see CheckState) is recorded,
// not returned: the offending component of dst is then NaN or infinite.
// It is long because it is one switch over the instruction set; splitting it
// would add a call per instruction in the hot loop.
func (m *Model) Func(dst []float64, t float64, z, theta []float64) {
	if len(dst) != m.n || len(z) != m.n || len(theta) != m.p {
		panic(lenMessage("Func", m.n, m.p, len(dst), len(z), len(theta)))
	}
	s := m.ws
	if s == nil {
		m.funcWide(dst, t, z, theta)
		return
	}
	load(s, t, z, theta)
	code := m.small.fn.code
	i := 0
run:
	for ; i < len(code); i++ {
		// The interpreter: the same in Func, JVP and VJP (TestInterpreterCopies).
		in := &code[i]
		a, b := s[in.a], s[in.b]
		switch in.op {
		case opMul:
			s[in.dst] = a * b
		case opAdd:
			s[in.dst] = a + b
		case opSub:
			s[in.dst] = a - b
		case opNeg:
			s[in.dst] = -a
		// The conversions forbid fusing into one FMA rounding, so fused
		// instructions round exactly as the separate operations would.
		case opMulAdd:
			s[in.dst] = float64(a*b) + s[in.c]
		case opMulSub:
			s[in.dst] = float64(a*b) - s[in.c]
		case opSubMul:
			s[in.dst] = s[in.c] - float64(a*b)
		case opMul3:
			s[in.dst] = float64(a*b) * s[in.c]
		case opMulAddMul:
			s[in.dst] = float64(a*b) + float64(s[in.c]*s[in.d])
		case opMulSubMul:
			s[in.dst] = float64(a*b) - float64(s[in.c]*s[in.d])
		case opSOPAdd:
			s[in.dst] = float64(float64(a*b)*s[in.c]) + float64(float64(s[in.d]*s[in.e])*s[in.f])
		case opSOPSub:
			s[in.dst] = float64(float64(a*b)*s[in.c]) - float64(float64(s[in.d]*s[in.e])*s[in.f])
		case opMul3Add:
			s[in.dst] = float64(float64(a*b)*s[in.c]) + s[in.d]
		case opMul3Sub:
			s[in.dst] = float64(float64(a*b)*s[in.c]) - s[in.d]
		case opSubMul3:
			s[in.dst] = s[in.d] - float64(float64(a*b)*s[in.c])
		case opDiv:
			if b == 0 {
				goto cold // records the division by zero
			}
			s[in.dst] = a / b
		case opAbs:
			s[in.dst] = math.Abs(a)
		case opMin:
			s[in.dst] = min(a, b)
		case opMax:
			s[in.dst] = max(a, b)
		case opSelLE:
			if a <= b {
				s[in.dst] = s[in.c]
			} else {
				s[in.dst] = s[in.d]
			}
		default:
			goto cold // a function call or a domain check
		}
	}
	goto done
cold: // out of the loop, so that the loop itself calls nothing and keeps its registers
	m.cold(&m.c.fn, i, t)
	i++
	goto run
done:
	bad := 0.0
	dst = dst[:len(m.small.fn.fout)]
	for i, slot := range m.small.fn.fout {
		v := s[slot]
		dst[i] = v
		bad += v - v // stays 0 unless some v is NaN or ±Inf
	}
	if bad != 0 {
		m.flagNonFinite(dst, t)
	}
}

// JVP writes ∂f/∂z·vz + ∂f/∂θ·vtheta into dst; a nil vtheta means zero. dst
// must not overlap vz or vtheta. It is long because it is one switch over the
// instruction set; splitting it would add a call per instruction in the hot
// loop.
func (m *Model) JVP(dst []float64, t float64, z, theta, vz, vtheta []float64) {
	n, p := m.n, m.p
	if len(dst) != n || len(z) != n || len(theta) != p || len(vz) != n || (vtheta != nil && len(vtheta) != p) {
		panic(lenMessage("JVP", n, p, len(dst), len(z), len(theta)))
	}
	s := m.ws
	if s == nil {
		m.jvpWide(dst, t, z, theta, vz, vtheta)
		return
	}
	sp := &m.small.jacZ
	if vtheta != nil {
		sp = &m.small.jac
	}
	load(s, t, z, theta)
	code := sp.code
	i := 0
run:
	for ; i < len(code); i++ {
		// The interpreter: the same in Func, JVP and VJP (TestInterpreterCopies).
		in := &code[i]
		a, b := s[in.a], s[in.b]
		switch in.op {
		case opMul:
			s[in.dst] = a * b
		case opAdd:
			s[in.dst] = a + b
		case opSub:
			s[in.dst] = a - b
		case opNeg:
			s[in.dst] = -a
		// The conversions forbid fusing into one FMA rounding, so fused
		// instructions round exactly as the separate operations would.
		case opMulAdd:
			s[in.dst] = float64(a*b) + s[in.c]
		case opMulSub:
			s[in.dst] = float64(a*b) - s[in.c]
		case opSubMul:
			s[in.dst] = s[in.c] - float64(a*b)
		case opMul3:
			s[in.dst] = float64(a*b) * s[in.c]
		case opMulAddMul:
			s[in.dst] = float64(a*b) + float64(s[in.c]*s[in.d])
		case opMulSubMul:
			s[in.dst] = float64(a*b) - float64(s[in.c]*s[in.d])
		case opSOPAdd:
			s[in.dst] = float64(float64(a*b)*s[in.c]) + float64(float64(s[in.d]*s[in.e])*s[in.f])
		case opSOPSub:
			s[in.dst] = float64(float64(a*b)*s[in.c]) - float64(float64(s[in.d]*s[in.e])*s[in.f])
		case opMul3Add:
			s[in.dst] = float64(float64(a*b)*s[in.c]) + s[in.d]
		case opMul3Sub:
			s[in.dst] = float64(float64(a*b)*s[in.c]) - s[in.d]
		case opSubMul3:
			s[in.dst] = s[in.d] - float64(float64(a*b)*s[in.c])
		case opDiv:
			if b == 0 {
				goto cold // records the division by zero
			}
			s[in.dst] = a / b
		case opAbs:
			s[in.dst] = math.Abs(a)
		case opMin:
			s[in.dst] = min(a, b)
		case opMax:
			s[in.dst] = max(a, b)
		case opSelLE:
			if a <= b {
				s[in.dst] = s[in.c]
			} else {
				s[in.dst] = s[in.d]
			}
		default:
			goto cold // a function call or a domain check
		}
	}
	goto done
cold: // out of the loop, so that the loop itself calls nothing and keeps its registers
	m.cold(m.c.jacobian(vtheta != nil), i, t)
	i++
	goto run
done:
	for i := range dst {
		dst[i] = 0 // a loop: clear would call memclr
	}
	for _, o := range sp.z[:sp.zPlain] {
		dst[o.i] += float64(o.sign) * s[o.slot] * vz[o.j]
	}
	for _, o := range sp.z[sp.zPlain:] {
		dst[o.i] += float64(o.sign) * float64(s[o.slot]*s[o.slot2]) * vz[o.j]
	}
	for _, o := range sp.theta[:sp.thetaPlain] {
		dst[o.i] += float64(o.sign) * s[o.slot] * vtheta[o.j]
	}
	for _, o := range sp.theta[sp.thetaPlain:] {
		dst[o.i] += float64(o.sign) * float64(s[o.slot]*s[o.slot2]) * vtheta[o.j]
	}
}

// VJP adds uᵀ∂f/∂z into dz and uᵀ∂f/∂θ into dtheta; a nil dtheta skips the
// parameter part. It is long because it is one switch over the instruction
// set; splitting it would add a call per instruction in the hot loop.
func (m *Model) VJP(dz, dtheta []float64, t float64, z, theta, u []float64) {
	n, p := m.n, m.p
	if len(dz) != n || len(z) != n || len(theta) != p || len(u) != n || (dtheta != nil && len(dtheta) != p) {
		panic(lenMessage("VJP", n, p, len(dz), len(z), len(theta)))
	}
	s := m.ws
	if s == nil {
		m.vjpWide(dz, dtheta, t, z, theta, u)
		return
	}
	sp := &m.small.jacZ
	if dtheta != nil {
		sp = &m.small.jac
	}
	load(s, t, z, theta)
	code := sp.code
	i := 0
run:
	for ; i < len(code); i++ {
		// The interpreter: the same in Func, JVP and VJP (TestInterpreterCopies).
		in := &code[i]
		a, b := s[in.a], s[in.b]
		switch in.op {
		case opMul:
			s[in.dst] = a * b
		case opAdd:
			s[in.dst] = a + b
		case opSub:
			s[in.dst] = a - b
		case opNeg:
			s[in.dst] = -a
		// The conversions forbid fusing into one FMA rounding, so fused
		// instructions round exactly as the separate operations would.
		case opMulAdd:
			s[in.dst] = float64(a*b) + s[in.c]
		case opMulSub:
			s[in.dst] = float64(a*b) - s[in.c]
		case opSubMul:
			s[in.dst] = s[in.c] - float64(a*b)
		case opMul3:
			s[in.dst] = float64(a*b) * s[in.c]
		case opMulAddMul:
			s[in.dst] = float64(a*b) + float64(s[in.c]*s[in.d])
		case opMulSubMul:
			s[in.dst] = float64(a*b) - float64(s[in.c]*s[in.d])
		case opSOPAdd:
			s[in.dst] = float64(float64(a*b)*s[in.c]) + float64(float64(s[in.d]*s[in.e])*s[in.f])
		case opSOPSub:
			s[in.dst] = float64(float64(a*b)*s[in.c]) - float64(float64(s[in.d]*s[in.e])*s[in.f])
		case opMul3Add:
			s[in.dst] = float64(float64(a*b)*s[in.c]) + s[in.d]
		case opMul3Sub:
			s[in.dst] = float64(float64(a*b)*s[in.c]) - s[in.d]
		case opSubMul3:
			s[in.dst] = s[in.d] - float64(float64(a*b)*s[in.c])
		case opDiv:
			if b == 0 {
				goto cold // records the division by zero
			}
			s[in.dst] = a / b
		case opAbs:
			s[in.dst] = math.Abs(a)
		case opMin:
			s[in.dst] = min(a, b)
		case opMax:
			s[in.dst] = max(a, b)
		case opSelLE:
			if a <= b {
				s[in.dst] = s[in.c]
			} else {
				s[in.dst] = s[in.d]
			}
		default:
			goto cold // a function call or a domain check
		}
	}
	goto done
cold: // out of the loop, so that the loop itself calls nothing and keeps its registers
	m.cold(m.c.jacobian(dtheta != nil), i, t)
	i++
	goto run
done:
	for _, o := range sp.z[:sp.zPlain] {
		dz[o.j] += u[o.i] * (float64(o.sign) * s[o.slot])
	}
	for _, o := range sp.z[sp.zPlain:] {
		dz[o.j] += u[o.i] * (float64(o.sign) * float64(s[o.slot]*s[o.slot2]))
	}
	for _, o := range sp.theta[:sp.thetaPlain] {
		dtheta[o.j] += u[o.i] * (float64(o.sign) * s[o.slot])
	}
	for _, o := range sp.theta[sp.thetaPlain:] {
		dtheta[o.j] += u[o.i] * (float64(o.sign) * float64(s[o.slot]*s[o.slot2]))
	}
}

// jacobian returns the Jacobian program, with the partials for θ or not.
func (c *compiled) jacobian(withTheta bool) *program {
	if withTheta {
		return &c.jac
	}
	return &c.jacZ
}

// lenMessage explains a length mismatch, a programmer error that panics. It is
// kept out of line so that the methods above stay small.
//
//go:noinline
func lenMessage(method string, n, p, ld, lz, lth int) string {
	return fmt.Sprintf("expr: %s: slice lengths do not match the model (dim %d, %d params); "+
		"got len(dst)=%d len(z)=%d len(theta)=%d (or a direction/cotangent of the wrong length)",
		method, n, p, ld, lz, lth)
}
