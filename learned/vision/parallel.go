package vision

import (
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// chunkSize is the number of samples one goroutine handles at a time. It fixes
// the order in which parameter gradients are summed, independent of the
// number of workers.
const chunkSize = 4

// numChunks returns the number of chunks of a batch of n samples.
func numChunks(n int) int { return (n + chunkSize - 1) / chunkSize }

// forChunks calls fn(worker, chunk, lo, hi) for every chunk [lo, hi) of a batch
// of n samples, on up to GOMAXPROCS goroutines. worker indexes per-goroutine
// scratch and is below workers(n). This is the one pool in physid that is not
// errgroup (with SetLimit): errgroup starts a goroutine per task and has no
// worker identity, while here each of a fixed set of workers pulls chunks and
// indexes its own scratch buffers, allocated once per worker.
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
		floats.Add(dst, buf[c*m:(c+1)*m])
	}
}

// grow returns s resliced to n, reallocating only when its capacity is short.
func grow[T float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// gemm is blas64.Gemm kept on the calling goroutine. Gonum computes a product
// whose C has four or more 64×64 blocks on new goroutines; inside forChunks,
// which already keeps every core busy, that only adds scheduling and
// allocation per sample. gemm therefore computes C in tiles (see tiles), each
// of which gonum multiplies serially.
func gemm(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	tiles(tA, tB, a.Rows, a.Cols, b.Rows, b.Cols, c.Rows, c.Cols, func(wa, wb, wc [4]int) {
		blas64.Gemm(tA, tB, alpha, view64(a, wa), view64(b, wb), beta, view64(c, wc))
	})
}

// gemm32 is gemm in single precision.
func gemm32(tA, tB blas.Transpose, alpha float32, a, b blas32.General, beta float32, c blas32.General) {
	tiles(tA, tB, a.Rows, a.Cols, b.Rows, b.Cols, c.Rows, c.Cols, func(wa, wb, wc [4]int) {
		blas32.Gemm(tA, tB, alpha, view32(a, wa), view32(b, wb), beta, view32(c, wc))
	})
}

func view64(g blas64.General, w [4]int) blas64.General {
	r, c, d := window(g.Data, g.Stride, w)
	return blas64.General{Rows: r, Cols: c, Stride: g.Stride, Data: d}
}

func view32(g blas32.General, w [4]int) blas32.General {
	r, c, d := window(g.Data, g.Stride, w)
	return blas32.General{Rows: r, Cols: c, Stride: g.Stride, Data: d}
}

// window returns the shape and the backing span of the view
// [i0:i1, j0:j1] = w of a row-major matrix with the given stride.
func window[T float](data []T, stride int, w [4]int) (rows, cols int, span []T) {
	i0, i1, j0, j1 := w[0], w[1], w[2], w[3]
	return i1 - i0, j1 - j0, data[i0*stride+j0 : (i1-1)*stride+j1]
}

// tiles splits the product C = op(A)·op(B) (A ra×ca, B rb×cb, C m×n) into
// tiles of C of at most 3×1 blocks of 64×64 and calls fn with the windows
// [i0, i1, j0, j1] of A, B and C that each tile needs.
func tiles(tA, tB blas.Transpose, ra, ca, rb, cb, m, n int, fn func(a, b, c [4]int)) {
	const tileRows, tileCols = 3 * 64, 64
	for i0 := 0; i0 < m; i0 += tileRows {
		i1 := min(m, i0+tileRows)
		a := [4]int{i0, i1, 0, ca} // op(A)[i0:i1, :]
		if tA != blas.NoTrans {
			a = [4]int{0, ra, i0, i1}
		}
		for j0 := 0; j0 < n; j0 += tileCols {
			j1 := min(n, j0+tileCols)
			b := [4]int{0, rb, j0, j1} // op(B)[:, j0:j1]
			if tB != blas.NoTrans {
				b = [4]int{j0, j1, 0, cb}
			}
			fn(a, b, [4]int{i0, i1, j0, j1})
		}
	}
}
