package aca_test

import (
	"testing"

	"github.com/physid/physid/aca"
	"github.com/stretchr/testify/assert"
)

// TestFresh: a fresh method is a new value of the same kind with the same
// settings, so concurrent fits can share one template.
func TestFresh(t *testing.T) {
	assert.IsType(t, &aca.ACA{}, aca.Fresh(nil))
	for _, m := range aca.Methods() {
		f := aca.Fresh(m)
		assert.IsType(t, m, f)
		assert.NotSame(t, m, f)
	}
	f := aca.Fresh(&aca.Forward{WithZ0: true})
	assert.Equal(t, &aca.Forward{WithZ0: true}, f)
}
