package vision

import (
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// chunkSize is the number of samples one goroutine handles at a time. It fixes
// the order in which parameter gradients are summed, independent of the
// number of workers.
const chunkSize = 4

// numChunks returns the number of chunks of a batch of n samples.
func numChunks(n int) int { return (n + chunkSize - 1) / chunkSize }

// forChunks calls fn(worker, chunk, lo, hi) for every chunk [lo, hi) of a batch
// of n samples, on up to GOMAXPROCS goroutines. worker indexes per-goroutine
// scratch and is below workers(n).
func forChunks(n int, fn func(w, c, lo, hi int)) {
	nc := numChunks(n)
	nw := workers(n)
	if nw == 1 {
		for c := range nc {
			fn(0, c, c*chunkSize, min(n, (c+1)*chunkSize))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= nc {
					return
				}
				fn(w, c, c*chunkSize, min(n, (c+1)*chunkSize))
			}
		}()
	}
	wg.Wait()
}

// workers returns the number of goroutines forChunks uses for n samples.
func workers(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), numChunks(n)))
}

// reduceChunks adds the nc rows of length len(dst) in buf to dst, in row order.
func reduceChunks(dst, buf []float64, nc int) {
	m := len(dst)
	for c := range nc {
		row := buf[c*m : (c+1)*m]
		for i, v := range row {
			dst[i] += v
		}
	}
}

// grow returns s resliced to n, reallocating only when its capacity is short.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// gemm is blas64.Gemm kept on the calling goroutine. Gonum computes a product
// whose C has four or more 64×64 blocks on new goroutines; inside forChunks,
// which already keeps every core busy, that only adds scheduling and
// allocation per sample. gemm therefore computes C in tiles of at most 3×1
// such blocks, each of which gonum multiplies serially.
func gemm(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	const tileRows, tileCols = 3 * 64, 64
	for i0 := 0; i0 < c.Rows; i0 += tileRows {
		i1 := min(c.Rows, i0+tileRows)
		var at blas64.General // op(A)[i0:i1, :]
		if tA == blas.NoTrans {
			at = sub(a, i0, i1, 0, a.Cols)
		} else {
			at = sub(a, 0, a.Rows, i0, i1)
		}
		for j0 := 0; j0 < c.Cols; j0 += tileCols {
			j1 := min(c.Cols, j0+tileCols)
			var bt blas64.General // op(B)[:, j0:j1]
			if tB == blas.NoTrans {
				bt = sub(b, 0, b.Rows, j0, j1)
			} else {
				bt = sub(b, j0, j1, 0, b.Cols)
			}
			blas64.Gemm(tA, tB, alpha, at, bt, beta, sub(c, i0, i1, j0, j1))
		}
	}
}

// sub is the view g[i0:i1, j0:j1].
func sub(g blas64.General, i0, i1, j0, j1 int) blas64.General {
	return blas64.General{Rows: i1 - i0, Cols: j1 - j0, Stride: g.Stride, Data: g.Data[i0*g.Stride+j0 : (i1-1)*g.Stride+j1]}
}
