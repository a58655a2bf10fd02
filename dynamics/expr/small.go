package expr

// smallSlots is the workspace size of the small form: a model whose slots all
// fit (inputs, constants and temporaries; nearly every hand-written system)
// runs from a *[256]float64 indexed by bytes, which needs no bounds check
// and no mask, with instructions of one 8-byte word each. Func, JVP and VJP
// run the small form with the interpreter inline (call.go); instructions it
// does not handle (function calls, domain checks) go to cold, which reads
// the same instruction in the wide form and the same workspace as a slice.
const smallSlots = 256

// sinstr is instr in the small form: slot indices are bytes. opPowI's
// exponent does not fit and is read from the wide form (cold evaluates it).
type sinstr struct {
	op                    opcode
	dst, a, b, c, d, e, f uint8
}

// sentry is one entry ∂f_i/∂x_j = sign·(slots[slot]·slots[slot2]) of a
// Jacobian program in the small form, j counted within z or within θ. The
// sign is a float (±1, exact in float32) so that the loops over entries
// multiply instead of branching.
type sentry struct {
	i, j, slot, slot2 uint8
	sign              float32
}

// smallProgram is a program in the small form, instruction for instruction
// the same as its wide form, so that an instruction's index means the same in
// both (cold and the domain-error records use the wide form).
type smallProgram struct {
	code []sinstr
	// fout[i] is the slot of f_i (the f program only).
	fout []uint8
	// z and theta are a Jacobian program's entries with respect to z and
	// θ, in the order of program.out: the first zPlain and thetaPlain of
	// them are one slot each (slot2 is the constant 1), the rest products.
	z, theta           []sentry
	zPlain, thetaPlain int
}

// shrink returns p in the small form; nzp is the number of outputs that are
// partials with respect to z, or −1 for f's program.
func (p *program) shrink(nzp int, one uint32) smallProgram {
	sp := smallProgram{code: make([]sinstr, len(p.code))}
	for k, in := range p.code {
		sp.code[k] = sinstr{op: in.op, dst: uint8(in.dst), a: uint8(in.a), b: uint8(in.b),
			c: uint8(in.c), d: uint8(in.d), e: uint8(in.e), f: uint8(in.f)}
	}
	for k, o := range p.out {
		e := sentry{i: uint8(o.i), j: uint8(o.j), slot: uint8(o.slot), slot2: uint8(o.slot2), sign: float32(o.sign)}
		switch {
		case nzp < 0:
			sp.fout = append(sp.fout, uint8(o.slot))
		case k < nzp:
			sp.z = append(sp.z, e)
			if o.slot2 == one {
				sp.zPlain++
			}
		default:
			sp.theta = append(sp.theta, e)
			if o.slot2 == one {
				sp.thetaPlain++
			}
		}
	}
	return sp
}

// load puts t, z and θ into their slots. Slot indices wrap at 256, which the
// small form's size rules out.
func load(s *[smallSlots]float64, t float64, z, theta []float64) {
	s[0] = t
	for j, v := range z {
		s[uint8(1+j)] = v
	}
	off := uint8(1 + len(z))
	for j, v := range theta {
		s[off+uint8(j)] = v
	}
}
