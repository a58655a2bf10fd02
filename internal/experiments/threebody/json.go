package threebody

import (
	"encoding/json"
	"math"
)

// finiteOrNil returns &x, or nil (JSON null) when x is NaN or infinite.
func finiteOrNil(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// MarshalJSON writes a run with null for a value that is not finite (a
// diverged run's test MSE, the validation MSE of a model without one), which
// encoding/json cannot write as a number.
func (r RunResult) MarshalJSON() ([]byte, error) {
	type plain RunResult
	return json.Marshal(struct {
		plain
		TestMSE   *float64 `json:"test_mse"`
		FutureMSE *float64 `json:"future_mse"`
		TrainLoss *float64 `json:"train_loss"`
		ValMSE    *float64 `json:"val_mse"`
	}{plain(r), finiteOrNil(r.TestMSE), finiteOrNil(r.FutureMSE), finiteOrNil(r.TrainLoss), finiteOrNil(r.ValMSE)})
}

// MarshalJSON writes a row with null statistics when no run was finite.
func (r ModelResult) MarshalJSON() ([]byte, error) {
	type plain ModelResult
	return json.Marshal(struct {
		plain
		Method *string  `json:"gradient_method"`
		Mean   *float64 `json:"test_mse_mean"`
		Std    *float64 `json:"test_mse_std"`
		Future *float64 `json:"future_mse_mean"`
	}{plain(r), methodOrNil(r.Method), finiteOrNil(r.TestMSEMean), finiteOrNil(r.TestMSEStd), finiteOrNil(r.FutureMSEMean)})
}

// MarshalJSON writes the method as null for the models without one.
func (r PaperResult) MarshalJSON() ([]byte, error) {
	type plain PaperResult
	return json.Marshal(struct {
		plain
		Method *string `json:"gradient_method"`
	}{plain(r), methodOrNil(r.Method)})
}

func methodOrNil(m string) *string {
	if m == "" {
		return nil
	}
	return &m
}
