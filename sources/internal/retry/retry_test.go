package retry

import (
	"context"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		want    time.Duration // before jitter
	}{
		{-1, 5 * time.Second}, {0, 5 * time.Second}, {1, 5 * time.Second}, {2, 10 * time.Second},
		{4, 40 * time.Second}, {7, 5 * time.Minute}, {1000, 5 * time.Minute},
	}
	for _, tt := range tests {
		for range 50 {
			got := Backoff(5*time.Second, 5*time.Minute, tt.attempt)
			if got > tt.want || got < tt.want*4/5 {
				t.Errorf("Backoff(5s, 5m, %d) = %v, want %v less up to 20%% jitter", tt.attempt, got, tt.want)
				break
			}
		}
	}
}

func TestSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	if !Sleep(ctx, time.Millisecond) || !Sleep(ctx, 0) {
		t.Error("Sleep with a live context = false, want true")
	}
	cancel()
	begin := time.Now()
	if Sleep(ctx, time.Hour) || Sleep(ctx, 0) {
		t.Error("Sleep with a cancelled context = true, want false")
	}
	if d := time.Since(begin); d > time.Second {
		t.Errorf("Sleep with a cancelled context took %v", d)
	}
}
