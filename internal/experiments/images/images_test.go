package images_test

import (
	"testing"

	"github.com/physid/physid/internal/experiments/images"
	"github.com/physid/physid/learned/vision"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSettings: every test solver of Table 2 is known; the fixed-step ones
// take the test step, the adaptive ones keep vision's default settings.
func TestSettings(t *testing.T) {
	def := vision.DefaultSettings()
	for _, name := range images.TestSolvers {
		s, err := images.TestSettings(name, 0.1)
		require.NoError(t, err, name)
		assert.Equal(t, name, s.Method.Name)
		if s.Method.Adaptive() {
			assert.Equal(t, def.Step, s.Step, name)
		} else {
			assert.Equal(t, 0.1, s.Step, name)
		}
		assert.Equal(t, def.RTol, s.RTol, name)
	}
	_, err := images.Settings("no-such-tableau")
	assert.Error(t, err)
}
