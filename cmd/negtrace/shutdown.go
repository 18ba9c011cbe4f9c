package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// drainTimeout is how long negtrace serve lets HTTP requests in flight
// finish after SIGTERM. With the sources' last writes (at most 5 s, in
// parallel) and the database's close after it, shutdown fits in the 30 s
// grace period of deploy/base/deployment.yaml.
const drainTimeout = 20 * time.Second

// shutdownHTTP stops srv gracefully: it stops accepting, closes idle
// connections and lets requests in flight finish for up to timeout. Requests
// still running then (a long report) are cut: closing their connections
// cancels their contexts, which stops their database reads, so that the
// state can be closed before the pod's grace period ends and the kubelet's
// SIGKILL. Cutting them is part of a normal stop, not a failure.
func shutdownHTTP(srv *http.Server, timeout time.Duration, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	logger.Info("shutting down: draining HTTP connections", "timeout", timeout)
	err := srv.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	logger.Warn("shutting down: cutting the HTTP requests still running after the drain timeout", "timeout", timeout)
	if err := srv.Close(); err != nil {
		return fmt.Errorf("close HTTP connections: %w", err)
	}
	return nil
}
