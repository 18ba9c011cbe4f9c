package main

import (
	"context"
	"fmt"
	"io"
)

func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "negtrace simulate: not implemented yet")
	return exitFailure
}
