package cloudlog

import (
	"time"

	"github.com/negtrace/negtrace/sources/internal/retry"
)

// Bounds of DefaultBackoff.
const (
	minBackoff = time.Second
	maxBackoff = 5 * time.Minute
)

// DefaultBackoff is the wait after the attempt-th consecutive failure:
// 1s, 2s, 4s, … doubling up to 5 minutes, each reduced by a random jitter
// of up to 20% so that restarted readers spread their calls.
func DefaultBackoff(attempt int) time.Duration {
	return retry.Backoff(minBackoff, maxBackoff, attempt)
}
