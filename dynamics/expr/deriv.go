package expr

// deriv returns the node ∂(node i)/∂(leaf v), built with the simplifying
// constructors so that zero terms vanish and shared pieces (the exp in
// d exp(u) = exp(u)·du, the quotient in d(a/b)) reuse nodes of f itself. memo
// holds the derivatives with respect to v already known. It is long because
// it is one switch over the instruction set, one derivative rule per opcode;
// splitting it would add a call per instruction and scatter the rules.
func (g *graph) deriv(i, v int32, memo map[int32]int32) int32 {
	if d, ok := memo[i]; ok {
		return d
	}
	n := g.nodes[i]
	zero := g.num(0)
	var da, db, d int32 = zero, zero, zero
	switch n.op {
	case opConst:
		return zero
	case opVar:
		if i == v {
			return g.num(1)
		}
		return zero
	case opSelLE:
		d = g.selLE(n.a, n.b, g.deriv(n.c, v, memo), g.deriv(n.d, v, memo))
		memo[i] = d
		return d
	}
	if n.a >= 0 {
		da = g.deriv(n.a, v, memo)
	}
	if n.b >= 0 && n.op != opPowI {
		db = g.deriv(n.b, v, memo)
	}
	if da == zero && db == zero {
		memo[i] = zero
		return zero
	}
	a, b := n.a, n.b
	switch n.op {
	case opNeg:
		d = g.neg(da)
	case opAdd:
		d = g.add(da, db)
	case opSub:
		d = g.sub(da, db)
	case opMul:
		d = g.add(g.mul(da, b), g.mul(a, db))
	case opDiv: // d(a/b) = (da − (a/b)·db)/b, reusing the quotient
		if db == zero {
			d = g.div(da, b)
		} else {
			d = g.div(g.sub(da, g.mul(i, db)), b)
		}
	case opPowI:
		k := int(n.val)
		d = g.mul(g.mul(g.num(float64(k)), g.powi(a, k-1)), da)
	case opPow:
		switch {
		case db == zero: // b·a^(b−1)·da
			d = g.mul(g.mul(b, g.pow(a, g.sub(b, g.num(1)))), da)
		case da == zero: // a^b·log(a)·db
			d = g.mul(g.mul(i, g.fn(opLog, a)), db)
		default: // a^b·(db·log(a) + b·da/a)
			d = g.mul(i, g.add(g.mul(db, g.fn(opLog, a)), g.div(g.mul(b, da), a)))
		}
	case opSin:
		d = g.mul(g.fn(opCos, a), da)
	case opCos:
		d = g.neg(g.mul(g.fn(opSin, a), da))
	case opTan: // (1 + tan²)·da, reusing tan
		d = g.mul(g.add(g.mul(i, i), g.num(1)), da)
	case opExp:
		d = g.mul(i, da)
	case opLog:
		d = g.div(da, a)
	case opSqrt:
		d = g.div(da, g.mul(g.num(2), i))
	case opAbs:
		d = g.mul(g.fn(opSign, a), da)
	case opTanh: // (1 − tanh²)·da, reusing tanh
		d = g.mul(g.sub(g.num(1), g.mul(i, i)), da)
	case opSinh:
		d = g.mul(g.fn(opCosh, a), da)
	case opCosh:
		d = g.mul(g.fn(opSinh, a), da)
	case opMin: // the derivative of the branch min picks
		d = g.selLE(a, b, da, db)
	case opMax:
		d = g.selLE(a, b, db, da)
	case opSign:
		d = zero
	default:
		panic("expr: deriv: unexpected opcode")
	}
	memo[i] = d
	return d
}
