package expr

import (
	"strconv"
	"strings"
)

// Printing precedences: the grammar's levels, from loosest to tightest.
const (
	precSum   = 1 // + -
	precProd  = 2 // * /
	precUnary = 3 // unary minus, negative numbers
	precPow   = 4 // ^
	precAtom  = 5 // names, numbers, calls, parentheses
)

// format prints node i with the fewest parentheses that parse back to the same
// tree. Internal derivative-only nodes print as sign(x) and if(a <= b, c, d),
// which are not part of the input grammar.
func (g *graph) format(i int32) string {
	var b strings.Builder
	g.write(&b, i, 0)
	return b.String()
}

func (g *graph) prec(i int32) int {
	n := &g.nodes[i]
	switch n.op {
	case opConst:
		if n.val < 0 {
			return precUnary
		}
		return precAtom
	case opAdd, opSub:
		return precSum
	case opMul:
		if n.a == n.b {
			return precPow
		}
		return precProd
	case opDiv:
		return precProd
	case opNeg:
		return precUnary
	case opPow, opPowI:
		return precPow
	}
	return precAtom
}

func (g *graph) write(b *strings.Builder, i int32, minPrec int) {
	if g.prec(i) < minPrec {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	n := g.nodes[i]
	switch n.op {
	case opConst:
		b.WriteString(strconv.FormatFloat(n.val, 'g', -1, 64))
	case opVar:
		b.WriteString(g.names[n])
	case opAdd, opSub:
		g.write(b, n.a, precSum)
		if n.op == opAdd {
			b.WriteString(" + ")
		} else {
			b.WriteString(" - ")
		}
		g.write(b, n.b, precProd)
	case opMul, opDiv:
		if n.op == opMul && n.a == n.b {
			g.write(b, n.a, precAtom)
			b.WriteString("^2")
			return
		}
		g.write(b, n.a, precProd)
		if n.op == opMul {
			b.WriteByte('*')
		} else {
			b.WriteByte('/')
		}
		g.write(b, n.b, precUnary)
	case opNeg:
		b.WriteByte('-')
		g.write(b, n.a, precUnary)
	case opPow:
		g.write(b, n.a, precAtom)
		b.WriteByte('^')
		g.write(b, n.b, precUnary)
	case opPowI:
		g.write(b, n.a, precAtom)
		b.WriteByte('^')
		b.WriteString(strconv.Itoa(int(n.val)))
	case opMin, opMax:
		b.WriteString(opName[n.op])
		b.WriteByte('(')
		g.write(b, n.a, 0)
		b.WriteString(", ")
		g.write(b, n.b, 0)
		b.WriteByte(')')
	case opSelLE:
		b.WriteString("if(")
		g.write(b, n.a, 0)
		b.WriteString(" <= ")
		g.write(b, n.b, 0)
		b.WriteString(", ")
		g.write(b, n.c, 0)
		b.WriteString(", ")
		g.write(b, n.d, 0)
		b.WriteByte(')')
	default:
		b.WriteString(opName[n.op])
		b.WriteByte('(')
		g.write(b, n.a, 0)
		b.WriteByte(')')
	}
}
