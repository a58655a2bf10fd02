package learned

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// The helpers below work on row-major flat slices: a batch of b row vectors of
// length n is a b×n matrix, and a weight matrix W mapping n inputs to m outputs
// is m×n. A batch of one goes through the level-2 routines (Gemv, Ger), larger
// batches through Gemm. gonum's Gemm switches to goroutines, which allocate,
// once the output has four 64×64 blocks; gemm below hands it one output tile of
// at most 64×64 at a time, so every product runs serially and allocates
// nothing. Parallelism belongs one level up (one model clone per goroutine).

func general(data []float64, rows, cols int) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: data[:rows*cols]}
}

func vector(data []float64, n int) blas64.Vector {
	return blas64.Vector{N: n, Inc: 1, Data: data[:n]}
}

// tile is the largest output block passed to one Gemm call.
const tile = 64

// gemm sets c = op(a)·op(b) + beta·c one output tile at a time.
func gemm(ta, tb blas.Transpose, a, b blas64.General, beta float64, c blas64.General) {
	for i0 := 0; i0 < c.Rows; i0 += tile {
		i1 := min(i0+tile, c.Rows)
		ai := a // rows i0:i1 of op(a)
		if ta == blas.NoTrans {
			ai.Rows, ai.Data = i1-i0, a.Data[i0*a.Stride:]
		} else {
			ai.Cols, ai.Data = i1-i0, a.Data[i0:]
		}
		for j0 := 0; j0 < c.Cols; j0 += tile {
			j1 := min(j0+tile, c.Cols)
			bj := b // columns j0:j1 of op(b)
			if tb == blas.NoTrans {
				bj.Cols, bj.Data = j1-j0, b.Data[j0:]
			} else {
				bj.Rows, bj.Data = j1-j0, b.Data[j0*b.Stride:]
			}
			cij := blas64.General{Rows: i1 - i0, Cols: j1 - j0, Stride: c.Stride, Data: c.Data[i0*c.Stride+j0:]}
			blas64.Gemm(ta, tb, 1, ai, bj, beta, cij)
		}
	}
}

// mulXWt sets y = x·Wᵀ + beta·y for x b×in, W out×in, y b×out.
func mulXWt(y, x, w []float64, b, in, out int, beta float64) {
	if b == 1 {
		blas64.Gemv(blas.NoTrans, 1, general(w, out, in), vector(x, in), beta, vector(y, out))
		return
	}
	gemm(blas.NoTrans, blas.Trans, general(x, b, in), general(w, out, in), beta, general(y, b, out))
}

// mulGW sets dx = g·W + beta·dx for g b×out, W out×in, dx b×in: the input
// gradient of a linear map.
func mulGW(dx, g, w []float64, b, in, out int, beta float64) {
	if b == 1 {
		blas64.Gemv(blas.Trans, 1, general(w, out, in), vector(g, out), beta, vector(dx, in))
		return
	}
	gemm(blas.NoTrans, blas.NoTrans, general(g, b, out), general(w, out, in), beta, general(dx, b, in))
}

// addGtX adds gᵀ·x to dW for g b×out, x b×in, dW out×in: the weight gradient
// of a linear map, summed over the batch.
func addGtX(dw, g, x []float64, b, in, out int) {
	if b == 1 {
		blas64.Ger(1, vector(g, out), vector(x, in), general(dw, out, in))
		return
	}
	gemm(blas.Trans, blas.NoTrans, general(g, b, out), general(x, b, in), 1, general(dw, out, in))
}

// addRows adds the vector v to every row of the b×len(v) matrix y.
func addRows(y, v []float64, b int) {
	n := len(v)
	for r := range b {
		floats.Add(y[r*n:r*n+n], v)
	}
}

// addColSums adds the column sums of the b×len(dst) matrix g to dst.
func addColSums(dst, g []float64, b int) {
	n := len(dst)
	for r := range b {
		floats.Add(dst, g[r*n:r*n+n])
	}
}

// grow returns s resliced to n, reallocating only when its capacity is short.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
