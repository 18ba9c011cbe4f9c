package display

import "testing"

func f64(x float64) *float64 { return &x }

func TestNumbers(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Count(0), "0"},
		{Count(999), "999"},
		{Count(1000), "1,000"},
		{Count(1234567), "1,234,567"},
		{Count(-1234), "-1,234"},
		{Count(-999), "-999"},
		{Pct(1, 0), ""},
		{Pct(0, 10), "0.0%"},
		{Pct(5, 12), "41.7%"},
		{Pct(12, 120000), "0.01%"},
		{Pct(1, 3000000), "3.3e-05%"},
		{Plural(1, "pod"), "1 pod"},
		{Plural(0, "pod"), "0 pods"},
		{Plural(1200, "race error"), "1,200 race errors"},
		{Seconds(f64(12.35)), "12.35s"},
		{Seconds(f64(6)), "6s"},
		{Seconds(f64(0.004)), "0s"},
		{Seconds(nil), Dash},
		{Setting(2.5), "2.5s"},
		{Setting(30), "30s"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
