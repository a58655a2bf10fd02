package expr

import "math"

// finish runs p from instruction k, which hot did not handle, to the end.
//
//go:noinline
func (m *Model) finish(p *program, k int, t float64) {
	for ; k < len(p.code); k = hot(m.slots, p.code, k+1, 0, nil, nil) {
		m.cold(p, k, t)
	}
}

// hot runs code from instruction k up to the first one it does not handle and
// returns that one's index, or len(code). Given z (not nil) it first puts t, z
// and θ into their slots.
//
// hot is a leaf function, so it keeps its state in registers; everything that
// calls a function or must report a domain error is left to cold. Operand
// indices are masked with len(s)−1 (s has a power-of-two length larger than
// every index, so the mask changes nothing), which lets the compiler drop the
// bounds checks.
func hot(s []float64, code []instr, k int, t float64, z, theta []float64) int {
	mask := uint(len(s) - 1)
	if z != nil {
		s[0] = t
		for j, v := range z {
			s[uint(1+j)&mask] = v
		}
		for j, v := range theta {
			s[uint(1+len(z)+j)&mask] = v
		}
	}
	for ; k < len(code); k++ {
		in := &code[k]
		a, b, d := s[uint(in.a)&mask], s[uint(in.b)&mask], uint(in.dst)&mask
		switch in.op {
		case opAdd:
			s[d] = a + b
		case opSub:
			s[d] = a - b
		case opMul:
			s[d] = a * b
		case opNeg:
			s[d] = -a
		// The conversions forbid fusing into one FMA rounding, so fused
		// instructions round exactly as the separate operations would.
		case opMulAdd:
			s[d] = float64(a*b) + s[uint(in.c)&mask]
		case opMulSub:
			s[d] = float64(a*b) - s[uint(in.c)&mask]
		case opSubMul:
			s[d] = s[uint(in.c)&mask] - float64(a*b)
		case opMul3:
			s[d] = float64(a*b) * s[uint(in.c)&mask]
		case opMulAddMul:
			s[d] = float64(a*b) + float64(s[uint(in.c)&mask]*s[uint(in.d)&mask])
		case opMulSubMul:
			s[d] = float64(a*b) - float64(s[uint(in.c)&mask]*s[uint(in.d)&mask])
		case opSOPAdd:
			s[d] = float64(float64(a*b)*s[uint(in.c)&mask]) + float64(float64(s[uint(in.d)&mask]*s[uint(in.e)&mask])*s[uint(in.f)&mask])
		case opSOPSub:
			s[d] = float64(float64(a*b)*s[uint(in.c)&mask]) - float64(float64(s[uint(in.d)&mask]*s[uint(in.e)&mask])*s[uint(in.f)&mask])
		case opMul3Add:
			s[d] = float64(float64(a*b)*s[uint(in.c)&mask]) + s[uint(in.d)&mask]
		case opMul3Sub:
			s[d] = float64(float64(a*b)*s[uint(in.c)&mask]) - s[uint(in.d)&mask]
		case opSubMul3:
			s[d] = s[uint(in.d)&mask] - float64(float64(a*b)*s[uint(in.c)&mask])
		case opDiv:
			if b == 0 {
				return k
			}
			s[d] = a / b
		case opAbs:
			s[d] = math.Abs(a)
		case opMin:
			s[d] = min(a, b)
		case opMax:
			s[d] = max(a, b)
		case opSelLE:
			if a <= b {
				s[d] = s[uint(in.c)&mask]
			} else {
				s[d] = s[uint(in.d)&mask]
			}
		default:
			return k
		}
	}
	return k
}

// cold evaluates instruction k of p, which calls a function or checks its
// domain.
//
//go:noinline
func (m *Model) cold(p *program, k int, t float64) {
	s := m.slots
	in := &p.code[k]
	mask := uint(len(s) - 1) // opPowI keeps its exponent, not a slot, in b
	x, y := s[uint(in.a)&mask], s[uint(in.b)&mask]
	var r float64
	switch in.op {
	case opDiv:
		if y == 0 {
			m.flag(p, k, probDivZero, t)
		}
		r = x / y
	case opPowI:
		n := int(int32(in.b))
		if n < 0 && x == 0 {
			m.flag(p, k, probPowZero, t)
		}
		r = powi(x, n)
	case opPow:
		if x < 0 && y != math.Trunc(y) {
			m.flag(p, k, probPowNeg, t)
		} else if x == 0 && y < 0 {
			m.flag(p, k, probPowZero, t)
		}
		r = math.Pow(x, y)
	case opLog:
		if x <= 0 {
			m.flag(p, k, probLog, t)
		}
		r = math.Log(x)
	case opSqrt:
		if x < 0 {
			m.flag(p, k, probSqrt, t)
		}
		r = math.Sqrt(x)
	case opSin, opCos, opTan, opExp, opTanh, opSinh, opCosh, opSign:
		r = apply1(in.op, x)
	default:
		panic("expr: cold: bad opcode")
	}
	s[in.dst] = r
}

// apply1 evaluates a one-argument function.
func apply1(op opcode, x float64) float64 {
	switch op {
	case opSin:
		return math.Sin(x)
	case opCos:
		return math.Cos(x)
	case opTan:
		return math.Tan(x)
	case opExp:
		return math.Exp(x)
	case opLog:
		return math.Log(x)
	case opSqrt:
		return math.Sqrt(x)
	case opAbs:
		return math.Abs(x)
	case opTanh:
		return math.Tanh(x)
	case opSinh:
		return math.Sinh(x)
	case opCosh:
		return math.Cosh(x)
	case opSign:
		return sign(x)
	case opNeg:
		return -x
	}
	panic("expr: apply1: not a one-argument function")
}

// sign is −1, 0 or 1 (NaN for NaN).
func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return x
}

// powi is x^n by repeated squaring.
func powi(x float64, n int) float64 {
	if n < 0 {
		return 1 / powi(x, -n)
	}
	r := 1.0
	for n > 0 {
		if n&1 == 1 {
			r *= x
		}
		x *= x
		n >>= 1
	}
	return r
}
