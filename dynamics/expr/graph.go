package expr

import (
	"math"
)

// opcode is the operation of a graph node and of a compiled instruction.
type opcode uint8

const (
	opConst opcode = iota // val is the value
	opVar                 // an input of f: t, z_j or θ_k; val is its slot

	opNeg
	opAdd
	opSub
	opMul
	opDiv
	opPow  // a^b
	opPowI // a^n for a small integer n held in val (instructions: in b)
	opSin
	opCos
	opTan
	opExp
	opLog
	opSqrt
	opAbs
	opTanh
	opSinh
	opCosh
	opMin
	opMax
	opSign  // internal: the derivative of abs
	opSelLE // internal: a <= b ? c : d, the derivative of min and max

	// Fused instructions made by the compiler; never graph nodes. Each rounds
	// twice, exactly as the unfused pair would.
	opMulAdd    // a*b + c
	opMulSub    // a*b - c
	opSubMul    // c - a*b
	opMul3      // a*b*c
	opMulAddMul // a*b + c*d
	opMulSubMul // a*b - c*d
	opSOPAdd    // a*b*c + d*e*f
	opSOPSub    // a*b*c - d*e*f
	opMul3Add   // a*b*c + d
	opMul3Sub   // a*b*c - d
	opSubMul3   // d - a*b*c

	numOpcodes
)

// funcInfo describes a function users may call.
type funcInfo struct {
	op    opcode
	nargs int
}

// funcNames lists the callable functions in the order error messages show them.
var funcNames = []string{"sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "pow", "min", "max"}

var funcs = map[string]funcInfo{
	"sin": {opSin, 1}, "cos": {opCos, 1}, "tan": {opTan, 1}, "exp": {opExp, 1},
	"log": {opLog, 1}, "sqrt": {opSqrt, 1}, "abs": {opAbs, 1}, "tanh": {opTanh, 1},
	"sinh": {opSinh, 1}, "cosh": {opCosh, 1},
	"pow": {opPow, 2}, "min": {opMin, 2}, "max": {opMax, 2},
}

// opName is the printed name of a function opcode.
var opName = [numOpcodes]string{
	opSin: "sin", opCos: "cos", opTan: "tan", opExp: "exp", opLog: "log", opSqrt: "sqrt",
	opAbs: "abs", opTanh: "tanh", opSinh: "sinh", opCosh: "cosh", opMin: "min", opMax: "max",
	opPow: "pow", opSign: "sign",
}

// maxPowI is the largest |n| for which x^n is computed by repeated squaring.
const maxPowI = 64

// node is one vertex of the expression graph. Children are node ids (-1 when
// unused). Nodes are hash-consed: two structurally equal expressions are the same
// node, which is how f and all its partials share common subexpressions.
type node struct {
	op         opcode
	a, b, c, d int32
	val        float64
}

// graph is an append-only, hash-consed expression DAG whose constructors
// simplify as they build.
type graph struct {
	nodes []node
	index map[node]int32
	names map[node]string // printed names of leaves
}

func newGraph() *graph {
	return &graph{index: make(map[node]int32), names: make(map[node]string)}
}

func (g *graph) intern(n node) int32 {
	if n.op == opConst && n.val == 0 {
		n.val = 0 // one zero: -0 and +0 are the same node
	}
	if id, ok := g.index[n]; ok {
		return id
	}
	id := int32(len(g.nodes))
	g.nodes = append(g.nodes, n)
	g.index[n] = id
	return id
}

// leaf returns the input node of kind op at slot, printed as name.
func (g *graph) leaf(op opcode, slot int, name string) int32 {
	n := node{op: op, a: -1, b: -1, c: -1, d: -1, val: float64(slot)}
	g.names[n] = name
	return g.intern(n)
}

func (g *graph) num(v float64) int32 {
	return g.intern(node{op: opConst, a: -1, b: -1, c: -1, d: -1, val: v})
}

func (g *graph) mk(op opcode, a, b int32) int32 {
	return g.intern(node{op: op, a: a, b: b, c: -1, d: -1})
}

// konst reports whether node i is a constant, and its value.
func (g *graph) konst(i int32) (float64, bool) {
	n := &g.nodes[i]
	return n.val, n.op == opConst
}

func (g *graph) is(i int32, op opcode) bool { return g.nodes[i].op == op }

// fold returns the constant v, or -1 when v is not finite: such an expression
// is kept as an operation so that evaluation reports the domain error.
func (g *graph) fold(v float64) int32 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return -1
	}
	return g.num(v)
}

func (g *graph) neg(a int32) int32 {
	if c, ok := g.konst(a); ok {
		return g.num(-c)
	}
	switch n := g.nodes[a]; n.op {
	case opNeg: // -(-x) = x
		return n.a
	case opSub: // -(x-y) = y-x, exactly
		return g.sub(n.b, n.a)
	case opMul:
		if c, ok := g.konst(n.a); ok { // -(c*x) = (-c)*x
			return g.mul(g.num(-c), n.b)
		}
	}
	return g.mk(opNeg, a, -1)
}

func (g *graph) add(a, b int32) int32 {
	ca, oka := g.konst(a)
	cb, okb := g.konst(b)
	switch {
	case oka && okb:
		if r := g.fold(ca + cb); r >= 0 {
			return r
		}
	case oka && ca == 0:
		return b
	case okb && cb == 0:
		return a
	case g.is(b, opNeg): // a + (-y) = a - y
		return g.sub(a, g.nodes[b].a)
	case g.is(a, opNeg): // (-x) + b = b - x
		return g.sub(b, g.nodes[a].a)
	case okb && cb < 0:
		return g.sub(a, g.num(-cb))
	case oka && ca < 0:
		return g.sub(b, g.num(-ca))
	case a == b:
		return g.mul(g.num(2), a)
	}
	// Canonical order: constants last, otherwise by id.
	if oka || (!okb && a > b) {
		a, b = b, a
	}
	return g.mk(opAdd, a, b)
}

func (g *graph) sub(a, b int32) int32 {
	ca, oka := g.konst(a)
	cb, okb := g.konst(b)
	switch {
	case oka && okb:
		if r := g.fold(ca - cb); r >= 0 {
			return r
		}
	case okb && cb == 0:
		return a
	case oka && ca == 0:
		return g.neg(b)
	case a == b:
		return g.num(0)
	case g.is(b, opNeg): // a - (-y) = a + y
		return g.add(a, g.nodes[b].a)
	case okb && cb < 0:
		return g.add(a, g.num(-cb))
	case g.is(a, opNeg): // (-x) - b = -(x + b)
		return g.neg(g.add(g.nodes[a].a, b))
	}
	return g.mk(opSub, a, b)
}

func (g *graph) mul(a, b int32) int32 {
	ca, oka := g.konst(a)
	cb, okb := g.konst(b)
	if oka && okb {
		if r := g.fold(ca * cb); r >= 0 {
			return r
		}
		return g.mk(opMul, a, b)
	}
	if okb { // constants first
		a, b, ca, oka = b, a, cb, true
	}
	if oka {
		switch ca {
		case 0:
			return a
		case 1:
			return b
		case -1:
			return g.neg(b)
		}
		switch n := g.nodes[b]; n.op {
		case opNeg: // c*(-x) = (-c)*x
			return g.mul(g.num(-ca), n.a)
		case opMul:
			if cn, ok := g.konst(n.a); ok { // c*(d*x) = (c·d)*x
				if r := g.fold(ca * cn); r >= 0 {
					return g.mul(r, n.b)
				}
			}
		}
		return g.mk(opMul, a, b)
	}
	if g.is(a, opNeg) { // (-x)*b = -(x*b)
		return g.neg(g.mul(g.nodes[a].a, b))
	}
	if g.is(b, opNeg) {
		return g.neg(g.mul(a, g.nodes[b].a))
	}
	if a > b {
		a, b = b, a
	}
	return g.mk(opMul, a, b)
}

func (g *graph) div(a, b int32) int32 {
	ca, oka := g.konst(a)
	cb, okb := g.konst(b)
	switch {
	case oka && okb:
		if r := g.fold(ca / cb); r >= 0 && cb != 0 {
			return r
		}
	case oka && ca == 0:
		return a
	case okb && cb == 1:
		return a
	case okb && cb == -1:
		return g.neg(a)
	case a == b:
		return g.num(1)
	case okb && g.is(a, opMul) && g.is(g.nodes[a].a, opConst): // (c·x)/d = (c/d)·x
		if r := g.fold(g.nodes[g.nodes[a].a].val / cb); r >= 0 {
			return g.mul(r, g.nodes[a].b)
		}
	case g.is(a, opNeg): // (-x)/b = -(x/b)
		return g.neg(g.div(g.nodes[a].a, b))
	case g.is(b, opNeg): // a/(-y) = -(a/y)
		return g.neg(g.div(a, g.nodes[b].a))
	}
	return g.mk(opDiv, a, b)
}

// pow builds a^b, turning constant integer exponents into multiplications.
func (g *graph) pow(a, b int32) int32 {
	ca, oka := g.konst(a)
	cb, okb := g.konst(b)
	switch {
	case oka && okb:
		if r := g.fold(math.Pow(ca, cb)); r >= 0 {
			return r
		}
	case okb && cb == 0:
		return g.num(1)
	case okb && cb == 1:
		return a
	case oka && ca == 1:
		return a
	case okb && cb == math.Trunc(cb) && math.Abs(cb) <= maxPowI:
		return g.powi(a, int(cb))
	}
	return g.mk(opPow, a, b)
}

// powi builds a^n for a small integer n.
func (g *graph) powi(a int32, n int) int32 {
	if c, ok := g.konst(a); ok {
		if r := g.fold(powi(c, n)); r >= 0 {
			return r
		}
	}
	switch n {
	case 0:
		return g.num(1)
	case 1:
		return a
	case 2:
		return g.mul(a, a)
	case -1:
		return g.div(g.num(1), a)
	}
	return g.intern(node{op: opPowI, a: a, b: -1, c: -1, d: -1, val: float64(n)})
}

// fn builds a one-argument function node.
func (g *graph) fn(op opcode, a int32) int32 {
	if c, ok := g.konst(a); ok {
		if r := g.fold(apply1(op, c)); r >= 0 {
			return r
		}
	}
	if op == opAbs {
		switch n := g.nodes[a]; n.op {
		case opNeg, opAbs: // |-x| = |x|, ||x|| = |x|
			return g.fn(opAbs, n.a)
		}
	}
	return g.mk(op, a, -1)
}

// minmax builds min(a, b) or max(a, b).
func (g *graph) minmax(op opcode, a, b int32) int32 {
	ca, oka := g.konst(a)
	cb, okb := g.konst(b)
	switch {
	case oka && okb:
		if op == opMin {
			return g.num(min(ca, cb))
		}
		return g.num(max(ca, cb))
	case a == b:
		return a
	}
	return g.mk(op, a, b)
}

// selLE builds (a <= b ? c : d).
func (g *graph) selLE(a, b, c, d int32) int32 {
	if c == d {
		return c
	}
	ca, oka := g.konst(a)
	cb, okb := g.konst(b)
	if oka && okb {
		if ca <= cb {
			return c
		}
		return d
	}
	return g.intern(node{op: opSelLE, a: a, b: b, c: c, d: d})
}
