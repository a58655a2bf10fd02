package expr

// instr is one instruction of a compiled program: slots[dst] = op(slots[a], …).
// Every operand is a slot index; opPowI keeps its integer exponent in b.
type instr struct {
	dst, a, b, c, d, e, f uint32
	op                    opcode
}

// output says that an output of a program is sign·(slots[slot]·slots[slot2]).
// sign is −1 when the output's root is a negation, and slot2 is the constant
// 1 unless the root is a product that nothing else uses: the negation and the
// product then cost no instruction, since the loop that reads the outputs
// does them, with the same rounding. For the Jacobian program the output is
// the partial ∂f_i/∂x_j, j counted within z or within θ.
type output struct {
	i, j        int32
	slot, slot2 uint32
	sign        float64
}

// program is straight-line code over the model's slots. owner and deriv are
// read only when an instruction reports a domain error.
type program struct {
	code  []instr
	owner []int32 // equation index of each instruction
	deriv []bool  // the instruction belongs only to a derivative
	// out holds the outputs; for a Jacobian program, the entries by j,
	// then i, those for z before those for θ.
	out []output
}

// layout is the slot map shared by all programs of a model:
//
//	0            t
//	1 … n        z
//	1+n … n+p    θ
//	consts …     every constant of the graph, filled once
//	temps …      one slot per instruction of the longest program
//
// The workspace is then padded to a power of two so that hot can mask indices.
type layout struct {
	n, p   int
	consts int
	temps  int
	size   int
}

func newLayout(n, p int) layout {
	return layout{n: n, p: p, consts: 1 + n + p}
}

// compiler turns sets of graph roots into programs, one at a time.
type compiler struct {
	g     *graph
	lay   *layout
	slot  []int32 // per node: its slot in the current program, -1 before emission
	fixed []int32 // per node: the slot of a leaf, -1 for operations
	refs  []int32 // per node: uses within the current program
	owner []int32
	inF   []bool
	one   uint32 // the slot of the constant 1
	next  int32
	p     *program
}

// newCompiler assigns constant slots, fills their values into init, and
// records for every node which equation it first belongs to (f_0, …, f_n−1
// first, then their partials in jac) and whether f itself uses it.
func newCompiler(g *graph, lay *layout, f []int32, jac [][]int32) (*compiler, []float64) {
	nn := len(g.nodes)
	c := &compiler{g: g, lay: lay, slot: make([]int32, nn), fixed: make([]int32, nn),
		refs: make([]int32, nn), owner: make([]int32, nn), inF: make([]bool, nn)}
	k := lay.consts
	var consts []float64
	for i, n := range g.nodes {
		c.fixed[i], c.owner[i] = -1, -1
		switch n.op {
		case opConst:
			c.fixed[i] = int32(k)
			consts = append(consts, n.val)
			k++
		case opVar:
			c.fixed[i] = int32(n.val)
		}
	}
	c.one = uint32(c.fixed[g.index[node{op: opConst, a: -1, b: -1, c: -1, d: -1, val: 1}]])
	lay.temps = k
	init := make([]float64, k)
	copy(init[lay.consts:], consts)
	var mark func(i int32, eq int32, inF bool)
	mark = func(i int32, eq int32, inF bool) {
		if c.owner[i] >= 0 {
			return
		}
		c.owner[i], c.inF[i] = eq, inF
		n := &g.nodes[i]
		for _, ch := range [...]int32{n.a, n.b, n.c, n.d} {
			if ch >= 0 {
				mark(ch, eq, inF)
			}
		}
	}
	for i, r := range f {
		mark(r, int32(i), true)
	}
	for i, row := range jac {
		for _, r := range row {
			mark(r, int32(i), false)
		}
	}
	return c, init
}

// compile emits one program computing roots; out[k] is root k. signs says
// whether outputs may carry a sign and a product instead of instructions (the
// Jacobian programs, whose readers multiply anyway; f's readers copy).
func (c *compiler) compile(roots []int32, signs bool) program {
	for i := range c.slot {
		c.slot[i] = c.fixed[i]
		c.refs[i] = 0
	}
	for _, r := range roots {
		c.count(r)
	}
	var p program
	c.p, c.next = &p, int32(c.lay.temps)
	for _, r := range roots {
		sign := 1.0
		if n := c.g.nodes[r]; signs && n.op == opNeg && c.refs[r] == 1 {
			r, sign = n.a, -1
		}
		o := output{sign: sign, slot2: c.one}
		if n := c.g.nodes[r]; signs && n.op == opMul && c.refs[r] == 1 && c.slot[r] < 0 {
			o.slot, o.slot2 = c.emit(n.a), c.emit(n.b)
		} else {
			o.slot = c.emit(r)
		}
		p.out = append(p.out, o)
	}
	c.lay.size = max(c.lay.size, int(c.next))
	return p
}

// count adds one use of node i and, on its first use, of its children.
func (c *compiler) count(i int32) {
	c.refs[i]++
	if c.refs[i] > 1 {
		return
	}
	n := &c.g.nodes[i]
	for _, ch := range [...]int32{n.a, n.b, n.c, n.d} {
		if ch >= 0 {
			c.count(ch)
		}
	}
}

// fusable reports whether node i is a product used only by one parent that has
// not been emitted yet, so that the parent can absorb it.
func (c *compiler) fusable(i int32) bool {
	return c.g.nodes[i].op == opMul && c.refs[i] == 1 && c.slot[i] < 0
}

// factors returns the factors of a product term that node i contributes to a
// fused instruction: node i itself, or the factors of an absorbable product
// (three at most, in the order that rounds exactly as the tree does: the
// product of the first two, times the third).
func (c *compiler) factors(i int32) []int32 {
	if !c.fusable(i) {
		return []int32{i}
	}
	x := c.g.nodes[i]
	switch {
	case c.fusable(x.a): // (a·b)·y
		y := c.g.nodes[x.a]
		return []int32{y.a, y.b, x.b}
	case c.fusable(x.b): // x·(a·b) = (a·b)·x bit for bit
		y := c.g.nodes[x.b]
		return []int32{y.a, y.b, x.a}
	}
	return []int32{x.a, x.b}
}

// fuse returns one instruction for node n that absorbs the products among its
// operands that nothing else uses, or ok = false when there is none to absorb.
// Padding factors are the constant 1, which leaves every rounding unchanged.
func (c *compiler) fuse(n node) (in instr, ok bool) {
	var fx, fy []int32
	switch n.op {
	case opMul:
		if !c.fusable(n.a) && !c.fusable(n.b) {
			return in, false
		}
		// Node n is itself the product: a three-factor term.
		fx = c.factorsOfProduct(n)
		return instr{op: opMul3, a: c.emit(fx[0]), b: c.emit(fx[1]), c: c.emit(fx[2])}, true
	case opAdd, opSub:
		fx, fy = c.factors(n.a), c.factors(n.b)
	default:
		return in, false
	}
	sub := n.op == opSub
	switch {
	case len(fx) == 1 && len(fy) == 1:
		return in, false
	case len(fx) <= 2 && len(fy) <= 2:
		if len(fx) == 1 && !sub { // c + a·b = a·b + c exactly
			fx, fy = fy, fx
		}
		switch {
		case len(fx) == 2 && len(fy) == 2:
			op := opMulAddMul
			if sub {
				op = opMulSubMul
			}
			return instr{op: op, a: c.emit(fx[0]), b: c.emit(fx[1]), c: c.emit(fy[0]), d: c.emit(fy[1])}, true
		case len(fx) == 2:
			op := opMulAdd
			if sub {
				op = opMulSub
			}
			return instr{op: op, a: c.emit(fx[0]), b: c.emit(fx[1]), c: c.emit(fy[0])}, true
		}
		// c − a·b
		return instr{op: opSubMul, a: c.emit(fy[0]), b: c.emit(fy[1]), c: c.emit(fx[0])}, true
	}
	if len(fx) == 1 && !sub { // d + a·b·c = a·b·c + d exactly
		fx, fy = fy, fx
	}
	switch {
	case len(fx) == 3 && len(fy) == 1:
		op := opMul3Add
		if sub {
			op = opMul3Sub
		}
		return instr{op: op, a: c.emit(fx[0]), b: c.emit(fx[1]), c: c.emit(fx[2]), d: c.emit(fy[0])}, true
	case len(fx) == 1 && len(fy) == 3: // d − a·b·c
		return instr{op: opSubMul3, a: c.emit(fy[0]), b: c.emit(fy[1]), c: c.emit(fy[2]), d: c.emit(fx[0])}, true
	}
	op := opSOPAdd
	if sub {
		op = opSOPSub
	}
	var f [6]uint32
	for k := range 3 {
		f[k], f[3+k] = c.one, c.one
		if k < len(fx) {
			f[k] = c.emit(fx[k])
		}
	}
	for k := range fy {
		f[3+k] = c.emit(fy[k])
	}
	return instr{op: op, a: f[0], b: f[1], c: f[2], d: f[3], e: f[4], f: f[5]}, true
}

// factorsOfProduct returns three factors for a product node with an
// absorbable operand.
func (c *compiler) factorsOfProduct(n node) []int32 {
	if c.fusable(n.a) {
		y := c.g.nodes[n.a]
		return []int32{y.a, y.b, n.b}
	}
	y := c.g.nodes[n.b]
	return []int32{y.a, y.b, n.a}
}

// emit appends the instructions for node i (operands first) and returns its
// slot. Unused operands are 0, a valid slot the instruction ignores.
func (c *compiler) emit(i int32) uint32 {
	if s := c.slot[i]; s >= 0 {
		return uint32(s)
	}
	n := c.g.nodes[i]
	in, ok := c.fuse(n)
	if !ok {
		in = instr{op: n.op}
		switch {
		case n.op == opPowI:
			in.a, in.b = c.emit(n.a), uint32(int32(n.val))
		default:
			if n.a >= 0 {
				in.a = c.emit(n.a)
			}
			if n.b >= 0 {
				in.b = c.emit(n.b)
			}
			if n.c >= 0 {
				in.c = c.emit(n.c)
			}
			if n.d >= 0 {
				in.d = c.emit(n.d)
			}
		}
	}
	in.dst = uint32(c.next)
	c.next++
	c.p.code = append(c.p.code, in)
	c.p.owner = append(c.p.owner, c.owner[i])
	c.p.deriv = append(c.p.deriv, !c.inF[i])
	c.slot[i] = int32(in.dst)
	return in.dst
}
